// The path_* functions. Every path goes through sandbox.resolve (anchored, verified parent +
// one name), so each host call below acts on `/proc/self/fd/<parent>/<name>` only.
import * as fs from 'fs';
import type { WasiContext } from '../context';
import { fail } from '../errors';
import { FdEntry, filetypeOf, rightsFor } from '../fd-table';
import { withResolved, verifyInside } from '../sandbox';
import { declare } from '../declare';
import { Errno, Fdflags, Filetype, Lookupflags, Oflags, Rights } from '../spec';
import { timesToSet, writeFilestat } from './stat';

const C = fs.constants;

/** A directory fd holding `rights`, and the guest path read from memory. */
function dirAndPath(
  ctx: WasiContext,
  fd: number,
  rights: bigint,
  ptr: number,
  len: number,
  opening = false,
): [FdEntry, string] {
  const path = ctx.memory.string(ptr, len);
  const entry = ctx.fds.get(fd);
  // As wasmtime: anything but a directory is EBADF, except that path_open says ENOTDIR for a file.
  if (entry.filetype !== Filetype.DIRECTORY) {
    throw fail(opening && entry.stdio === undefined ? Errno.NOTDIR : Errno.BADF);
  }
  ctx.fds.withRights(fd, rights);
  return [entry, path];
}

const READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR;
// Like wasmtime, FD_READ and FD_WRITE decide how the host file is opened.
const WRITE_RIGHTS = Rights.FD_WRITE;

export const pathFunctions = [
  declare(
    'path_create_directory',
    ['fd', 'path', 'path_len'],
    (ctx, fd: number, ptr: number, len: number) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_CREATE_DIRECTORY, ptr, len);
      withResolved(dir.hostFd, path, false, (r) => fs.mkdirSync(r.path));
      return 0;
    },
  ),
  declare(
    'path_filestat_get',
    ['fd', 'flags', 'path', 'path_len', 'buf'],
    (ctx, fd: number, flags: number, ptr: number, len: number, out: number) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_FILESTAT_GET, ptr, len);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      const stats = withResolved(
        dir.hostFd,
        path,
        follow,
        (r) => r.stats ?? fs.lstatSync(r.path, { bigint: true }),
      );
      writeFilestat(ctx, out, stats);
      return 0;
    },
  ),
  declare(
    'path_filestat_set_times',
    ['fd', 'flags', 'path', 'path_len', 'atim', 'mtim', 'fst_flags'],
    (
      ctx,
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_FILESTAT_SET_TIMES, ptr, len);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      withResolved(dir.hostFd, path, follow, (r) => {
        const [atime, mtime] = timesToSet(atim, mtim, fst, () =>
          fs.lstatSync(r.path, { bigint: true }),
        );
        // The final symlink was already followed by resolve when asked to, so never follow here.
        fs.lutimesSync(r.path, atime, mtime);
      });
      return 0;
    },
  ),
  declare(
    'path_link',
    ['old_fd', 'old_flags', 'old_path', 'old_path_len', 'new_fd', 'new_path', 'new_path_len'],
    (
      ctx,
      oldFd: number,
      flags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ) => {
      const [oldDir, oldPath] = dirAndPath(ctx, oldFd, Rights.PATH_LINK_SOURCE, oldPtr, oldLen);
      const [newDir, newPath] = dirAndPath(ctx, newFd, Rights.PATH_LINK_TARGET, newPtr, newLen);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      withResolved(oldDir.hostFd, oldPath, follow, (from) =>
        withResolved(newDir.hostFd, newPath, false, (to) => {
          if (to.trailingSlash) throw fail(Errno.NOENT);
          fs.linkSync(from.path, to.path);
        }),
      );
      return 0;
    },
  ),
  declare(
    'path_open',
    [
      'fd',
      'dirflags',
      'path',
      'path_len',
      'oflags',
      'fs_rights_base',
      'fs_rights_inheriting',
      'fdflags',
      'fd_out',
    ],
    (
      ctx,
      fd: number,
      dirflags: number,
      ptr: number,
      len: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      out: number,
    ) => {
      let needed = Rights.PATH_OPEN;
      if (oflags & Oflags.CREAT) needed |= Rights.PATH_CREATE_FILE;
      if (oflags & Oflags.TRUNC) needed |= Rights.PATH_FILESTAT_SET_SIZE;
      const [dir, path] = dirAndPath(ctx, fd, needed, ptr, len, true);
      // What is opened under a directory gets at most the directory's inheriting rights.
      const base = rightsBase & dir.rightsInheriting;
      const inheriting = rightsInheriting & dir.rightsInheriting;
      const read = (base & READ_RIGHTS) !== 0n;
      const write = (base & WRITE_RIGHTS) !== 0n;
      // A directory is only ever opened for reading, whatever rights it is asked for.
      const directory = (oflags & Oflags.DIRECTORY) !== 0;
      let flags =
        C.O_NOFOLLOW | (write && !directory ? (read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY);
      if (oflags & Oflags.CREAT) flags |= C.O_CREAT;
      if (oflags & Oflags.EXCL) flags |= C.O_EXCL;
      if (oflags & Oflags.TRUNC) flags |= C.O_TRUNC;
      if (oflags & Oflags.DIRECTORY) flags |= C.O_DIRECTORY;
      if (fdflags & Fdflags.NONBLOCK) flags |= C.O_NONBLOCK;
      if (fdflags & Fdflags.DSYNC) flags |= C.O_DSYNC;
      if (fdflags & (Fdflags.SYNC | Fdflags.RSYNC)) flags |= C.O_SYNC;
      // O_CREAT|O_EXCL must see a final symlink as existing, never follow it (POSIX).
      const exclusive = (oflags & (Oflags.CREAT | Oflags.EXCL)) === (Oflags.CREAT | Oflags.EXCL);
      const follow = !exclusive && (dirflags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      const hostFd = withResolved(dir.hostFd, path, follow, (r) => {
        if (r.trailingSlash && oflags & Oflags.CREAT && !fs.existsSync(r.path))
          throw fail(Errno.ISDIR);
        const opened = fs.openSync(r.path, flags, 0o666);
        try {
          verifyInside(opened, dir.hostFd); // the file really is where the guest may reach
          return opened;
        } catch (error) {
          fs.closeSync(opened);
          throw error;
        }
      });
      const filetype = filetypeOf(fs.fstatSync(hostFd));
      if (path.endsWith('/') && filetype !== Filetype.DIRECTORY) {
        fs.closeSync(hostFd);
        return Errno.NOTDIR;
      }
      const [typeBase, typeInheriting] = rightsFor(filetype);
      const newFd = ctx.fds.add({
        hostFd,
        filetype,
        rightsBase: base & typeBase,
        rightsInheriting:
          filetype === Filetype.DIRECTORY ? inheriting & typeInheriting : inheriting,
        fdflags:
          fdflags &
          (Fdflags.APPEND | Fdflags.NONBLOCK | Fdflags.DSYNC | Fdflags.SYNC | Fdflags.RSYNC),
        position: filetype === Filetype.REGULAR_FILE ? 0 : null,
        ownsHostFd: true,
        readable: read || filetype === Filetype.DIRECTORY,
        writable: write && filetype !== Filetype.DIRECTORY,
      });
      ctx.memory.u32(out, newFd);
      return 0;
    },
  ),
  declare(
    'path_readlink',
    ['fd', 'path', 'path_len', 'buf', 'buf_len', 'bufused'],
    (ctx, fd: number, ptr: number, len: number, buf: number, bufLen: number, out: number) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_READLINK, ptr, len);
      const target = withResolved(dir.hostFd, path, false, (r) =>
        fs.readlinkSync(r.path, { encoding: 'buffer' }),
      );
      const n = Math.min(target.length, bufLen);
      ctx.memory.bytes(buf, n).set(target.subarray(0, n));
      ctx.memory.u32(out, n);
      return 0;
    },
  ),
  declare(
    'path_remove_directory',
    ['fd', 'path', 'path_len'],
    (ctx, fd: number, ptr: number, len: number) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_REMOVE_DIRECTORY, ptr, len);
      withResolved(dir.hostFd, path, false, (r) => {
        if (r.name === '.') throw fail(Errno.INVAL);
        fs.rmdirSync(r.path);
      });
      return 0;
    },
  ),
  declare(
    'path_rename',
    ['fd', 'old_path', 'old_path_len', 'new_fd', 'new_path', 'new_path_len'],
    (
      ctx,
      oldFd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ) => {
      const [oldDir, oldPath] = dirAndPath(ctx, oldFd, Rights.PATH_RENAME_SOURCE, oldPtr, oldLen);
      const [newDir, newPath] = dirAndPath(ctx, newFd, Rights.PATH_RENAME_TARGET, newPtr, newLen);
      withResolved(oldDir.hostFd, oldPath, false, (from) =>
        withResolved(newDir.hostFd, newPath, false, (to) => {
          if (from.name === '.' || to.name === '.') throw fail(Errno.BUSY);
          if (to.trailingSlash && !from.trailingSlash && !fs.lstatSync(from.path).isDirectory()) {
            throw fail(Errno.NOTDIR);
          }
          fs.renameSync(from.path, to.path);
        }),
      );
      return 0;
    },
  ),
  declare(
    'path_symlink',
    ['old_path', 'old_path_len', 'fd', 'new_path', 'new_path_len'],
    (ctx, oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) => {
      const target = ctx.memory.string(oldPtr, oldLen);
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_SYMLINK, newPtr, newLen);
      if (target.startsWith('/')) return Errno.PERM; // an absolute link could only point outside
      if (target.includes('\0')) return Errno.ILSEQ;
      withResolved(dir.hostFd, path, false, (r) => {
        if (r.trailingSlash) throw fail(fs.existsSync(r.path) ? Errno.EXIST : Errno.NOENT);
        fs.symlinkSync(target, r.path);
      });
      return 0;
    },
  ),
  declare(
    'path_unlink_file',
    ['fd', 'path', 'path_len'],
    (ctx, fd: number, ptr: number, len: number) => {
      const [dir, path] = dirAndPath(ctx, fd, Rights.PATH_UNLINK_FILE, ptr, len);
      withResolved(dir.hostFd, path, false, (r) => {
        if (r.name === '.') throw fail(Errno.ISDIR);
        fs.unlinkSync(r.path);
      });
      return 0;
    },
  ),
];
