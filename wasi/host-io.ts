// Blocking reads and writes over host fds that may be non-blocking (libuv leaves pipes and
// sockets in O_NONBLOCK mode): EAGAIN is waited out with a short sleep, so the guest sees the
// blocking semantics it asked for. Also the readiness probe poll_oneoff uses on streams.
import * as fs from 'fs';
import { FdEntry } from './fd-table';
import { fail } from './errors';
import { Errno, Fdflags, Filetype } from './spec';
import { fdPath } from './sandbox';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (allowed on Node's main thread too). */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

function isAgain(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}

/** Whether blocking calls on this entry should wait (no NONBLOCK fdflag). */
function blocking(entry: FdEntry): boolean {
  return (entry.fdflags & Fdflags.NONBLOCK) === 0;
}

/** read(2) at `position` (null: the kernel's offset); waits out EAGAIN unless the fd is NONBLOCK. */
export function readSome(entry: FdEntry, into: Uint8Array, position: number | null): number {
  if (entry.readahead && entry.readahead.length > 0) {
    const n = Math.min(into.length, entry.readahead.length);
    into.set(entry.readahead.subarray(0, n));
    entry.readahead = entry.readahead.subarray(n);
    return n;
  }
  if (entry.eof) {
    entry.eof = false;
    return 0;
  }
  for (;;) {
    try {
      return fs.readSync(entry.hostFd, into, 0, into.length, position);
    } catch (error) {
      if (!isAgain(error)) throw error;
      if (!blocking(entry)) throw fail(Errno.AGAIN);
      sleepMs(1);
    }
  }
}

/** Writes all of `data` (partial writes continued; EAGAIN waited out unless NONBLOCK). */
export function writeAll(entry: FdEntry, data: Uint8Array, position: number | null): number {
  let done = 0;
  while (done < data.length) {
    try {
      const at = position === null ? null : position + done;
      done += fs.writeSync(entry.hostFd, data, done, data.length - done, at);
    } catch (error) {
      if (!isAgain(error)) throw error;
      if (!blocking(entry)) {
        if (done > 0) return done;
        throw fail(Errno.AGAIN);
      }
      sleepMs(1);
    }
  }
  return done;
}

/**
 * Whether a read on this entry would not block: regular files always; streams are probed with
 * a non-blocking read through a second open of the same pipe, keeping what it got for fd_read.
 * Returns the bytes available (0 with eof=true at end of stream), or -1 when not ready.
 */
export function probeReadable(entry: FdEntry): number {
  if (entry.filetype === Filetype.DIRECTORY) return 0;
  if (entry.filetype === Filetype.REGULAR_FILE) {
    const size = fs.fstatSync(entry.hostFd).size;
    return Math.max(0, size - (entry.position ?? 0));
  }
  // stdio that is a regular file on the host: always ready, never probed (a second open would
  // read from its start, not from where the guest is).
  if (entry.stdio !== undefined && fs.fstatSync(entry.hostFd).isFile()) return 1;
  if (entry.readahead && entry.readahead.length > 0) return entry.readahead.length;
  if (entry.eof) return 0;
  // Sockets from the socket helper are already non-blocking: probe them directly.
  if (entry.socket) return probeWith(entry, entry.hostFd);
  if (entry.probeFd === undefined) {
    try {
      entry.probeFd = fs.openSync(
        fdPath(entry.hostFd),
        fs.constants.O_RDONLY | fs.constants.O_NONBLOCK,
      );
    } catch {
      return 0; // cannot probe (e.g. a socket): report ready and let the read block
    }
  }
  return probeWith(entry, entry.probeFd);
}

/** Scratch space for probes: a poll waiting on a quiet pipe probes every millisecond. */
const probeChunk = Buffer.allocUnsafe(65536);

function probeWith(entry: FdEntry, fd: number): number {
  try {
    const n = fs.readSync(fd, probeChunk, 0, probeChunk.length, null);
    if (n === 0) {
      entry.eof = true;
      return 0;
    }
    entry.readahead = Buffer.from(probeChunk.subarray(0, n));
    return n;
  } catch (error) {
    if (isAgain(error)) return -1;
    return 0; // an error: ready, the read will report it
  }
}
