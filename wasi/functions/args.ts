// args_get, args_sizes_get, environ_get, environ_sizes_get: NUL-terminated UTF-8 strings laid
// out in a guest buffer, with a pointer to each in a guest array.
import type { WasiContext } from '../context';
import { declare } from '../declare';

function writeStrings(
  ctx: WasiContext,
  strings: Uint8Array[],
  pointers: number,
  buffer: number,
): number {
  const view = ctx.memory.view();
  let at = buffer;
  for (const [i, bytes] of strings.entries()) {
    view.setUint32(pointers + i * 4, at, true);
    ctx.memory.bytes(at, bytes.length).set(bytes);
    at += bytes.length;
  }
  return 0;
}

function writeSizes(
  ctx: WasiContext,
  strings: Uint8Array[],
  countPtr: number,
  sizePtr: number,
): number {
  ctx.memory.u32(countPtr, strings.length);
  ctx.memory.u32(
    sizePtr,
    strings.reduce((sum, bytes) => sum + bytes.length, 0),
  );
  return 0;
}

export const argsFunctions = [
  declare('args_get', ['argv', 'argv_buf'], (ctx, argv: number, buf: number) =>
    writeStrings(ctx, ctx.args, argv, buf),
  ),
  declare('args_sizes_get', ['argc', 'argv_buf_size'], (ctx, count: number, size: number) =>
    writeSizes(ctx, ctx.args, count, size),
  ),
  declare('environ_get', ['environ', 'environ_buf'], (ctx, environ: number, buf: number) =>
    writeStrings(ctx, ctx.env, environ, buf),
  ),
  declare(
    'environ_sizes_get',
    ['environc', 'environ_buf_size'],
    (ctx, count: number, size: number) => writeSizes(ctx, ctx.env, count, size),
  ),
];
