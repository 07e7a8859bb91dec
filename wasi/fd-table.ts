// The guest's file descriptor table: guest fd → host fd plus what WASI tracks on top of it
// (file type, rights, fdflags, our own file position, readdir snapshots, preopen names).
import * as fs from 'fs';
import { fail } from './errors';
import {
  Errno,
  Filetype,
  RIGHTS_DIRECTORY,
  RIGHTS_DIRECTORY_INHERITING,
  RIGHTS_FILE,
  RIGHTS_SOCKET,
  RIGHTS_STREAM,
} from './spec';

/** One directory entry as fd_readdir reports it. */
export interface DirentRecord {
  name: Uint8Array;
  ino: bigint;
  type: number;
}

export interface FdEntry {
  /** Host file descriptor (process-wide). */
  hostFd: number;
  filetype: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  fdflags: number;
  /** Our file position for regular files (Node has no lseek); null = the kernel's (streams, stdio). */
  position: number | null;
  /** Whether fd_close closes the host fd (false for stdio handed in by the embedder). */
  ownsHostFd: boolean;
  /** Guest path of a preopened directory. */
  preopen?: string;
  /** The host fd was opened for reading / writing (a file opened read-only gets EBADF on write). */
  readable: boolean;
  writable: boolean;
  /** fd_readdir listing taken at cookie 0, so that cookies stay stable across calls. */
  dirSnapshot?: DirentRecord[];
  /** Bytes read ahead by poll_oneoff from a stream, served first by fd_read. */
  readahead?: Buffer;
  /** A stream reached end of file during a poll probe. */
  eof?: boolean;
  /** Non-blocking second open of a stream, used by poll_oneoff to probe readiness. */
  probeFd?: number;
  /** Which stdio stream this is (0 stdin, 1 stdout, 2 stderr), for stdio entries. */
  stdio?: 0 | 1 | 2;
  /** Socket state for sockets bridged through the socket helper. */
  socket?: { id: number; listening: boolean };
  /** Extra release work when the guest closes it (sockets owned by the socket helper). */
  onClose?: () => void;
}

/** The file type of a host fd, from fstat. */
export function filetypeOf(stats: fs.Stats | fs.BigIntStats): number {
  if (stats.isFile()) return Filetype.REGULAR_FILE;
  if (stats.isDirectory()) return Filetype.DIRECTORY;
  if (stats.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (stats.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (stats.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (stats.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN; // FIFOs: WASI has no type for them (wasmtime reports unknown)
}

/** Default rights for a host fd of the given type. */
export function rightsFor(filetype: number): [base: bigint, inheriting: bigint] {
  switch (filetype) {
    case Filetype.REGULAR_FILE:
      return [RIGHTS_FILE, 0n];
    case Filetype.DIRECTORY:
      return [RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING];
    case Filetype.SOCKET_STREAM:
    case Filetype.SOCKET_DGRAM:
      return [RIGHTS_SOCKET, 0n];
    default:
      return [RIGHTS_STREAM, 0n];
  }
}

export class FdTable {
  private readonly entries = new Map<number, FdEntry>();

  /** The entry of guest fd `fd`, or EBADF. */
  get(fd: number): FdEntry {
    const entry = this.entries.get(fd);
    if (!entry) throw fail(Errno.BADF);
    return entry;
  }

  /** The entry of `fd` if it holds every right in `rights`, else ENOTCAPABLE (EBADF if absent). */
  withRights(fd: number, rights: bigint): FdEntry {
    const entry = this.get(fd);
    if ((entry.rightsBase & rights) !== rights) throw fail(Errno.NOTCAPABLE);
    return entry;
  }

  /** Installs `entry` at the lowest free fd ≥ 3 (0-2 are stdio) and returns that fd. */
  add(entry: FdEntry): number {
    let fd = 3;
    while (this.entries.has(fd)) fd++;
    this.entries.set(fd, entry);
    return fd;
  }

  set(fd: number, entry: FdEntry): void {
    this.entries.set(fd, entry);
  }

  has(fd: number): boolean {
    return this.entries.has(fd);
  }

  delete(fd: number): void {
    this.entries.delete(fd);
  }

  /** Closes every host fd the table owns (at the end of a run). */
  closeAll(): void {
    for (const [fd, entry] of this.entries) {
      closeEntry(entry);
      this.entries.delete(fd);
    }
  }
}

/** Releases the host resources of an entry. */
export function closeEntry(entry: FdEntry): void {
  entry.onClose?.();
  if (entry.probeFd !== undefined) {
    fs.closeSync(entry.probeFd);
    entry.probeFd = undefined;
  }
  if (entry.ownsHostFd && entry.hostFd >= 0) fs.closeSync(entry.hostFd);
}
