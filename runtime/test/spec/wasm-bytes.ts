// Just enough of a Wasm binary encoder to build the spec runner's own small modules (the
// call wrappers and the spectest print functions): LEB128, vectors, sections, type codes.
import { ValType } from '../../model';
import type { WastType } from './script';

export const TYPE_CODE: Record<WastType, number> = ValType;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** i32.const with a non-negative value (signed LEB128). */
export function i32Const(n: number): number[] {
  const out: number[] = [0x41];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

export const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A function type entry of the type section. */
export function funcType(params: WastType[], results: WastType[]): number[] {
  return [
    0x60,
    ...vec(params.map((t) => [TYPE_CODE[t]])),
    ...vec(results.map((t) => [TYPE_CODE[t]])),
  ];
}

/**
 * A whole module exporting one function `f: (i32) -> i32` whose code entry is `body` (its
 * locals declaration first, then the instructions and the final `end`).
 */
export function oneFunctionModule(body: number[]): Uint8Array {
  return Uint8Array.from([
    ...MAGIC_AND_VERSION,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x01, 0x66, 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]);
}
