// The state one WASI instance's functions share: guest memory, the fd table, arguments,
// environment, and the socket bridge when sockets were handed in.
import * as fs from 'fs';
import { FdEntry, FdTable, rightsFor } from './fd-table';
import { GuestMemory, encodeUtf8 } from './memory';
import { Filetype, Rights } from './spec';
import { ListenSpec, SocketBridge } from './socket-bridge';

export interface WasiContextOptions {
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  stdin: number;
  stdout: number;
  stderr: number;
  /** Listening sockets, installed as fds 3, 4, ... before the preopens. */
  sockets: ListenSpec[];
}

export class WasiContext {
  readonly memory = new GuestMemory();
  readonly fds = new FdTable();
  readonly args: Uint8Array[];
  readonly env: Uint8Array[];
  /** The helper thread that owns listening sockets, when there are any. */
  readonly sockets: SocketBridge | undefined;

  constructor(options: WasiContextOptions) {
    this.args = options.args.map((arg) => encodeUtf8(arg + '\0'));
    this.env = Object.entries(options.env).map(([k, v]) => encodeUtf8(`${k}=${v}\0`));
    this.fds.set(0, stdioEntry(0, options.stdin));
    this.fds.set(1, stdioEntry(1, options.stdout));
    this.fds.set(2, stdioEntry(2, options.stderr));
    // Listening sockets come right after stdio, as wasmtime's --tcplisten does.
    if (options.sockets.length > 0) this.sockets = new SocketBridge(options.sockets);
    for (const [index, spec] of options.sockets.entries()) {
      const [base, inheriting] = rightsFor(Filetype.SOCKET_STREAM);
      this.fds.add({
        hostFd: typeof spec === 'number' ? spec : -1,
        filetype: Filetype.SOCKET_STREAM,
        rightsBase: base,
        rightsInheriting: inheriting,
        fdflags: 0,
        position: null,
        ownsHostFd: false,
        readable: false,
        writable: false,
        socket: { id: index, listening: true },
      });
    }
    for (const [guestPath, hostPath] of Object.entries(options.preopens)) {
      const hostFd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      const [base, inheriting] = rightsFor(Filetype.DIRECTORY);
      this.fds.add({
        hostFd,
        filetype: Filetype.DIRECTORY,
        rightsBase: base,
        rightsInheriting: inheriting,
        fdflags: 0,
        position: null,
        ownsHostFd: true,
        preopen: guestPath,
        readable: true,
        writable: false,
      });
    }
  }
}

/** Linux's character device major of /dev/null, /dev/zero, /dev/urandom (never terminals). */
const MEMORY_DEVICES_MAJOR = 1;

/**
 * tty.isatty, but only loading `tty` (which loads `net`: ~0.5 MB per container thread) for a
 * character device that could be a terminal; pipes, files and /dev/null are answered by fstat.
 */
function isTerminal(hostFd: number): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(hostFd);
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice() || ((stat.rdev >> 8) & 0xfff) === MEMORY_DEVICES_MAJOR)
    return false;
  return (require('tty') as typeof import('tty')).isatty(hostFd);
}

/**
 * The entry of stdin (0), stdout (1) or stderr (2), shaped as wasmtime shapes them: a stream
 * that only reads (stdin) or only writes, never seekable, of type character device when it is
 * a terminal and unknown otherwise (even when the host fd is a regular file or a FIFO).
 */
function stdioEntry(which: 0 | 1 | 2, hostFd: number): FdEntry {
  const reads = which === 0;
  const filetype = isTerminal(hostFd) ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN;
  const rights = (reads ? Rights.FD_READ : Rights.FD_WRITE) | Rights.POLL_FD_READWRITE;
  return {
    hostFd,
    filetype,
    rightsBase: rights,
    rightsInheriting: 0n,
    fdflags: 0,
    position: null,
    ownsHostFd: false,
    readable: reads,
    writable: !reads,
    stdio: which,
  };
}
