// Writing filestat structs, and turning WASI timestamps + fstflags into what utimes wants.
import * as fs from 'fs';
import type { WasiContext } from '../context';
import { fail } from '../errors';
import { filetypeOf } from '../fd-table';
import { Errno, Fstflags, Layout } from '../spec';

export function writeFilestat(ctx: WasiContext, ptr: number, stats: fs.BigIntStats): void {
  const view = ctx.memory.view();
  const f = Layout.filestat;
  ctx.memory.bytes(ptr, f.size).fill(0);
  view.setBigUint64(ptr + f.dev, stats.dev, true);
  view.setBigUint64(ptr + f.ino, stats.ino, true);
  view.setUint8(ptr + f.filetype, filetypeOf(stats));
  view.setBigUint64(ptr + f.nlink, stats.nlink, true);
  view.setBigUint64(ptr + f.size_, stats.size, true);
  view.setBigUint64(ptr + f.atim, stats.atimeNs, true);
  view.setBigUint64(ptr + f.mtim, stats.mtimeNs, true);
  view.setBigUint64(ptr + f.ctim, stats.ctimeNs, true);
}

/** Seconds (as utimes takes them) from ns. */
function seconds(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

/**
 * The [atime, mtime] to set: each either the given time, now, or unchanged (read from
 * `current`). Setting both a time and its _NOW flag is EINVAL, as in wasmtime.
 */
export function timesToSet(
  atim: bigint,
  mtim: bigint,
  flags: number,
  current: () => fs.BigIntStats,
): [number, number] {
  if (flags & ~(Fstflags.ATIM | Fstflags.ATIM_NOW | Fstflags.MTIM | Fstflags.MTIM_NOW))
    throw fail(Errno.INVAL);
  if (
    (flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) ||
    (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW)
  ) {
    throw fail(Errno.INVAL);
  }
  const nowSeconds = Date.now() / 1000;
  let stats: fs.BigIntStats | undefined;
  const pick = (time: bigint, set: number, setNow: number, old: () => bigint): number => {
    if (flags & set) return seconds(time);
    if (flags & setNow) return nowSeconds;
    return seconds(old());
  };
  const stat = (): fs.BigIntStats => (stats ??= current());
  return [
    pick(atim, Fstflags.ATIM, Fstflags.ATIM_NOW, () => stat().atimeNs),
    pick(mtim, Fstflags.MTIM, Fstflags.MTIM_NOW, () => stat().mtimeNs),
  ];
}
