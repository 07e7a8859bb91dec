// The fd_* functions: reading, writing, seeking, stat, flags, rights, readdir, renumber.
// Which kind of descriptor each accepts, and the errno for the others, follow wasmtime:
// stdio is never seekable (ESPIPE), directories cannot be read or written (EBADF), and so on.
import * as fs from 'fs';
import type { WasiContext } from '../context';
import { fail } from '../errors';
import { FdEntry, DirentRecord, closeEntry, filetypeOf } from '../fd-table';
import { readSome, writeAll } from '../host-io';
import { encodeUtf8 } from '../memory';
import { fdPath } from '../sandbox';
import { declare } from '../declare';
import { Advice, Errno, Fdflags, Filetype, Layout, Rights, Whence } from '../spec';
import { timesToSet, writeFilestat } from './stat';

/** A file opened with path_open (any type but a directory), or a socket: not stdio. */
function isFile(entry: FdEntry): boolean {
  return entry.stdio === undefined && entry.filetype !== Filetype.DIRECTORY;
}

/** The entry of `fd` if it is a file (not stdio, not a directory), else EBADF. */
function fileEntry(ctx: WasiContext, fd: number): FdEntry {
  const entry = ctx.fds.get(fd);
  if (!isFile(entry)) throw fail(Errno.BADF);
  return entry;
}

/** The entry of `fd` if it can seek: stdio gives ESPIPE, directories EBADF; then `rights`. */
function seekable(ctx: WasiContext, fd: number, rights: bigint): FdEntry {
  const entry = ctx.fds.get(fd);
  if (entry.stdio !== undefined) throw fail(Errno.SPIPE);
  if (entry.filetype === Filetype.DIRECTORY) throw fail(Errno.BADF);
  if (entry.filetype !== Filetype.REGULAR_FILE) throw fail(Errno.SPIPE); // FIFOs, devices, sockets
  return ctx.fds.withRights(fd, rights);
}

/** Open mode first (EBADF, as wasmtime), then the right (ENOTCAPABLE). */
function readableEntry(ctx: WasiContext, fd: number, rights: bigint): FdEntry {
  const entry = ctx.fds.get(fd);
  if (entry.filetype === Filetype.DIRECTORY || !entry.readable) throw fail(Errno.BADF);
  return ctx.fds.withRights(fd, rights);
}

function writableEntry(ctx: WasiContext, fd: number, rights: bigint): FdEntry {
  const entry = ctx.fds.get(fd);
  if (entry.filetype === Filetype.DIRECTORY || !entry.writable) throw fail(Errno.BADF);
  return ctx.fds.withRights(fd, rights);
}

function readInto(entry: FdEntry, buffers: Uint8Array[], at: number | null): number {
  let total = 0;
  for (const buffer of buffers) {
    if (buffer.length === 0) continue;
    const n = readSome(entry, buffer, at === null ? null : at + total);
    total += n;
    // Streams return what they have; a short read on anything means stop.
    if (n < buffer.length || at === null) break;
  }
  return total;
}

function gather(buffers: Uint8Array[]): Uint8Array {
  if (buffers.length === 1) return buffers[0];
  return Buffer.concat(buffers);
}

/**
 * Snapshot of a directory for fd_readdir: '.', '..', then the entries sorted by name. Names are
 * kept as bytes, so names that are not UTF-8 reach the guest unchanged.
 */
function listDirectory(entry: FdEntry): DirentRecord[] {
  const dir = fdPath(entry.hostFd);
  const names = fs.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare);
  const prefix = Buffer.from(dir + '/');
  const records: DirentRecord[] = [];
  for (const name of [Buffer.from('.'), Buffer.from('..'), ...names]) {
    let stats: fs.BigIntStats;
    try {
      // '..' reports the directory itself, as wasmtime does: nothing about what lies above.
      const target = name.equals(Buffer.from('..')) ? Buffer.from('.') : name;
      stats = fs.lstatSync(Buffer.concat([prefix, target]), { bigint: true });
    } catch {
      continue; // removed since the listing
    }
    records.push({ name: new Uint8Array(name), ino: stats.ino, type: filetypeOf(stats) });
  }
  return records;
}

export const fdFunctions = [
  declare(
    'fd_advise',
    ['fd', 'offset', 'len', 'advice'],
    (ctx, fd: number, _offset: bigint, _len: bigint, advice: number) => {
      if (advice > Advice.NOREUSE) return Errno.INVAL;
      fileEntry(ctx, fd);
      ctx.fds.withRights(fd, Rights.FD_ADVISE);
      return 0; // advice only: Node has no posix_fadvise
    },
  ),
  // wasmtime does not support it (preview 2 has no allocate): ENOTSUP for any file.
  declare('fd_allocate', ['fd', 'offset', 'len'], (ctx, fd: number) => {
    fileEntry(ctx, fd);
    return Errno.NOTSUP;
  }),
  declare('fd_close', ['fd'], (ctx, fd: number) => {
    const entry = ctx.fds.get(fd);
    ctx.fds.delete(fd);
    closeEntry(entry);
    return 0;
  }),
  declare('fd_datasync', ['fd'], (ctx, fd: number) => {
    fileEntry(ctx, fd); // files only: stdio and directories are EBADF in wasmtime
    fs.fdatasyncSync(ctx.fds.withRights(fd, Rights.FD_DATASYNC).hostFd);
    return 0;
  }),
  declare('fd_fdstat_get', ['fd', 'stat'], (ctx, fd: number, out: number) => {
    const entry = ctx.fds.get(fd);
    const view = ctx.memory.view();
    const f = Layout.fdstat;
    ctx.memory.bytes(out, f.size).fill(0);
    view.setUint8(out + f.filetype, entry.filetype);
    view.setUint16(out + f.flags, entry.fdflags, true);
    view.setBigUint64(out + f.rightsBase, entry.rightsBase, true);
    view.setBigUint64(out + f.rightsInheriting, entry.rightsInheriting, true);
    return 0;
  }),
  declare('fd_fdstat_set_flags', ['fd', 'flags'], (ctx, fd: number, flags: number) => {
    if (
      flags & ~(Fdflags.APPEND | Fdflags.DSYNC | Fdflags.NONBLOCK | Fdflags.RSYNC | Fdflags.SYNC)
    ) {
      return Errno.INVAL;
    }
    const entry = fileEntry(ctx, fd);
    // Only APPEND and NONBLOCK can change on an open fd, as in wasmtime.
    if (flags & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)) return Errno.INVAL;
    ctx.fds.withRights(fd, Rights.FD_FDSTAT_SET_FLAGS);
    entry.fdflags = flags;
    return 0;
  }),
  // Rights can only be dropped, never gained (witx). wasmtime ignores rights altogether; we keep
  // them, so that a guest that drops a right is held to it.
  declare(
    'fd_fdstat_set_rights',
    ['fd', 'fs_rights_base', 'fs_rights_inheriting'],
    (ctx, fd: number, base: bigint, inheriting: bigint) => {
      const entry = ctx.fds.get(fd);
      if ((base & ~entry.rightsBase) !== 0n || (inheriting & ~entry.rightsInheriting) !== 0n) {
        return Errno.NOTCAPABLE;
      }
      entry.rightsBase = base;
      entry.rightsInheriting = inheriting;
      return 0;
    },
  ),
  declare('fd_filestat_get', ['fd', 'buf'], (ctx, fd: number, out: number) => {
    const entry = ctx.fds.get(fd);
    if (entry.stdio !== undefined) {
      // Like wasmtime: stdio has only a file type.
      ctx.memory.bytes(out, Layout.filestat.size).fill(0);
      ctx.memory.view().setUint8(out + Layout.filestat.filetype, entry.filetype);
      return 0;
    }
    ctx.fds.withRights(fd, Rights.FD_FILESTAT_GET);
    writeFilestat(ctx, out, fs.fstatSync(entry.hostFd, { bigint: true }));
    return 0;
  }),
  declare('fd_filestat_set_size', ['fd', 'size'], (ctx, fd: number, size: bigint) => {
    const entry = fileEntry(ctx, fd);
    ctx.fds.withRights(fd, Rights.FD_FILESTAT_SET_SIZE);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.FBIG;
    fs.ftruncateSync(entry.hostFd, Number(size));
    return 0;
  }),
  declare(
    'fd_filestat_set_times',
    ['fd', 'atim', 'mtim', 'fst_flags'],
    (ctx, fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const entry = ctx.fds.get(fd);
      const [atime, mtime] = timesToSet(atim, mtim, flags, () =>
        fs.fstatSync(entry.hostFd, { bigint: true }),
      );
      if (entry.stdio !== undefined) return Errno.BADF;
      ctx.fds.withRights(fd, Rights.FD_FILESTAT_SET_TIMES);
      fs.futimesSync(entry.hostFd, atime, mtime);
      return 0;
    },
  ),
  declare(
    'fd_pread',
    ['fd', 'iovs', 'iovs_len', 'offset', 'nread'],
    (ctx, fd: number, iovs: number, count: number, offset: bigint, out: number) => {
      const entry = ctx.fds.get(fd);
      if (entry.stdio === 0) return Errno.SPIPE;
      readableEntry(ctx, fd, Rights.FD_READ);
      seekable(ctx, fd, Rights.FD_SEEK);
      const n = readInto(entry, ctx.memory.iovecs(iovs, count), Number(offset));
      ctx.memory.u32(out, n);
      return 0;
    },
  ),
  declare('fd_prestat_get', ['fd', 'buf'], (ctx, fd: number, out: number) => {
    const entry = ctx.fds.get(fd);
    if (entry.preopen === undefined) return Errno.BADF;
    const view = ctx.memory.view();
    view.setUint32(out, 0, true); // tag dir, padding zeroed
    view.setUint32(out + Layout.prestat.nameLen, encodeUtf8(entry.preopen).length, true);
    return 0;
  }),
  declare(
    'fd_prestat_dir_name',
    ['fd', 'path', 'path_len'],
    (ctx, fd: number, ptr: number, len: number) => {
      const entry = ctx.fds.get(fd);
      if (entry.preopen === undefined) return Errno.NOTDIR; // what wasmtime answers
      const name = encodeUtf8(entry.preopen);
      if (len < name.length) return Errno.NAMETOOLONG;
      ctx.memory.bytes(ptr, name.length).set(name);
      return 0;
    },
  ),
  declare(
    'fd_pwrite',
    ['fd', 'iovs', 'iovs_len', 'offset', 'nwritten'],
    (ctx, fd: number, iovs: number, count: number, offset: bigint, out: number) => {
      const entry = ctx.fds.get(fd);
      if (entry.stdio === 1 || entry.stdio === 2) return Errno.SPIPE;
      writableEntry(ctx, fd, Rights.FD_WRITE);
      seekable(ctx, fd, Rights.FD_SEEK);
      // Linux pwrite semantics, as wasmtime: an append-mode file ignores the offset.
      const at = entry.fdflags & Fdflags.APPEND ? fs.fstatSync(entry.hostFd).size : Number(offset);
      const n = writeAll(entry, gather(ctx.memory.iovecs(iovs, count)), at);
      ctx.memory.u32(out, n);
      return 0;
    },
  ),
  declare(
    'fd_read',
    ['fd', 'iovs', 'iovs_len', 'nread'],
    (ctx, fd: number, iovs: number, count: number, out: number) => {
      const entry = readableEntry(ctx, fd, Rights.FD_READ);
      const n = readInto(entry, ctx.memory.iovecs(iovs, count), entry.position);
      if (entry.position !== null) entry.position += n;
      ctx.memory.u32(out, n);
      return 0;
    },
  ),
  declare(
    'fd_readdir',
    ['fd', 'buf', 'buf_len', 'cookie', 'bufused'],
    (ctx, fd: number, buf: number, len: number, cookie: bigint, out: number) => {
      const entry = ctx.fds.get(fd);
      if (entry.filetype !== Filetype.DIRECTORY) return Errno.BADF;
      ctx.fds.withRights(fd, Rights.FD_READDIR);
      // Cookie n = "after the n-th entry" of the snapshot taken when reading starts at 0.
      if (cookie === 0n || entry.dirSnapshot === undefined)
        entry.dirSnapshot = listDirectory(entry);
      const records = entry.dirSnapshot;
      const dest = ctx.memory.bytes(buf, len);
      const header = new Uint8Array(Layout.dirent.size);
      const headerView = new DataView(header.buffer);
      let used = 0;
      for (let i = Number(cookie); i < records.length && used < len; i++) {
        const record = records[i];
        headerView.setBigUint64(Layout.dirent.next, BigInt(i + 1), true);
        headerView.setBigUint64(Layout.dirent.ino, record.ino, true);
        headerView.setUint32(Layout.dirent.namlen, record.name.length, true);
        headerView.setUint32(Layout.dirent.type, record.type, true); // u8 type + 3 bytes padding
        // Entries that do not fit are cut short: bufused == buf_len tells the guest to ask again.
        for (const part of [header, record.name]) {
          const n = Math.min(part.length, len - used);
          dest.set(part.subarray(0, n), used);
          used += n;
        }
      }
      ctx.memory.u32(out, used);
      return 0;
    },
  ),
  // `to` need not be open (wasmtime); if it is, it is closed first.
  declare('fd_renumber', ['fd', 'to'], (ctx, from: number, to: number) => {
    const entry = ctx.fds.get(from);
    if (from === to) return 0;
    if (ctx.fds.has(to)) closeEntry(ctx.fds.get(to));
    ctx.fds.set(to, entry);
    ctx.fds.delete(from);
    return 0;
  }),
  declare(
    'fd_seek',
    ['fd', 'offset', 'whence', 'newoffset'],
    (ctx, fd: number, offset: bigint, whence: number, out: number) => {
      if (whence > Whence.END) return Errno.INVAL;
      const tellOnly = whence === Whence.CUR && offset === 0n;
      const entry = seekable(ctx, fd, tellOnly ? Rights.FD_TELL : Rights.FD_SEEK);
      let base: bigint;
      if (whence === Whence.SET) base = 0n;
      else if (whence === Whence.CUR) base = BigInt(entry.position ?? 0);
      else base = BigInt(fs.fstatSync(entry.hostFd).size);
      const target = base + BigInt.asIntN(64, offset);
      if (target < 0n) return Errno.INVAL;
      if (target > BigInt(Number.MAX_SAFE_INTEGER)) return Errno.OVERFLOW;
      entry.position = Number(target);
      ctx.memory.u64(out, target);
      return 0;
    },
  ),
  declare('fd_sync', ['fd'], (ctx, fd: number) => {
    fileEntry(ctx, fd);
    fs.fsyncSync(ctx.fds.withRights(fd, Rights.FD_SYNC).hostFd);
    return 0;
  }),
  declare('fd_tell', ['fd', 'offset'], (ctx, fd: number, out: number) => {
    const entry = seekable(ctx, fd, Rights.FD_TELL);
    ctx.memory.u64(out, BigInt(entry.position ?? 0));
    return 0;
  }),
  declare(
    'fd_write',
    ['fd', 'iovs', 'iovs_len', 'nwritten'],
    (ctx, fd: number, iovs: number, count: number, out: number) => {
      const entry = writableEntry(ctx, fd, Rights.FD_WRITE);
      const data = gather(ctx.memory.iovecs(iovs, count));
      let at = entry.position;
      if (at !== null && entry.fdflags & Fdflags.APPEND) at = fs.fstatSync(entry.hostFd).size;
      const n = writeAll(entry, data, at);
      if (at !== null) entry.position = at + n;
      ctx.memory.u32(out, n);
      return 0;
    },
  ),
];
