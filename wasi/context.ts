// The state one WASI instance's functions share: guest memory, the fd table, arguments,
// environment, and the socket bridge when sockets were handed in.
import * as fs from 'fs';
import { FdEntry, FdTable, filetypeOf, rightsFor } from './fd-table';
import { GuestMemory, encodeUtf8 } from './memory';
import { Filetype } from './spec';
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
    this.fds.set(0, stdioEntry(options.stdin));
    this.fds.set(1, stdioEntry(options.stdout));
    this.fds.set(2, stdioEntry(options.stderr));
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

/** An entry for a host fd the embedder hands in (stdio, sockets): never closed by us. */
function stdioEntry(hostFd: number): FdEntry {
  let filetype: number = Filetype.UNKNOWN;
  try {
    filetype = filetypeOf(fs.fstatSync(hostFd));
  } catch {
    // a closed stdio fd: keep the slot, operations on it fail with EBADF from the host
  }
  // A regular file as stdio is seekable, as in wasmtime; its position stays the kernel's.
  const [base, inheriting] = rightsFor(filetype);
  return {
    hostFd,
    filetype,
    rightsBase: base,
    rightsInheriting: inheriting,
    fdflags: 0,
    position: null,
    ownsHostFd: false,
    readable: true,
    writable: true,
  };
}
