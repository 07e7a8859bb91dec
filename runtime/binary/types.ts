// Decoding of the type encodings shared by several sections: value types, reference types,
// limits, table, memory and global types, and constant expressions.
import { BinaryReader } from './reader';
import { ConstExpr, GlobalType, Limits, MemoryType, RefType, TableType, ValType } from '../model';
import { opcodeInfo, readOpcode, skipImmediates } from './instructions';

const valTypes = new Set<number>([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

export function readValType(r: BinaryReader): ValType {
  const at = r.pos;
  const b = r.u8();
  if (!valTypes.has(b)) r.fail('malformed value type', at);
  return b as ValType;
}

export function readRefType(r: BinaryReader): RefType {
  const at = r.pos;
  const b = r.u8();
  if (b !== ValType.funcref && b !== ValType.externref) r.fail('malformed reference type', at);
  return b;
}

/** Limits; `memory` selects the 2.0 flags allowed for memories (no shared/64-bit here). */
export function readLimits(r: BinaryReader): Limits {
  const at = r.pos;
  const flag = r.u8();
  if (flag === 0) return { min: r.u32(), max: undefined };
  if (flag === 1) {
    const min = r.u32();
    return { min, max: r.u32() };
  }
  r.fail('integer too large', at);
}

export function readTableType(r: BinaryReader): TableType {
  const elemType = readRefType(r);
  return { elemType, limits: readLimits(r) };
}

export function readMemoryType(r: BinaryReader): MemoryType {
  return { limits: readLimits(r) };
}

export function readGlobalType(r: BinaryReader): GlobalType {
  const valType = readValType(r);
  const at = r.pos;
  const m = r.u8();
  if (m > 1) r.fail('malformed mutability', at);
  return { valType, mutable: m === 1 };
}

/** A constant expression: instructions up to and including the `end` at nesting depth 0. */
export function readConstExpr(r: BinaryReader): ConstExpr {
  const start = r.pos;
  let depth = 0;
  for (;;) {
    const at = r.pos;
    const key = readOpcode(r);
    const info = opcodeInfo(r, key, at);
    skipImmediates(r, info);
    if (key === 0x02 || key === 0x03 || key === 0x04) depth++;
    else if (key === 0x0b) {
      if (depth === 0) return { start, end: r.pos };
      depth--;
    }
  }
}
