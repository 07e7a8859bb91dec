// sock_accept, sock_recv, sock_send, sock_shutdown over the sockets the embedder hands in
// (socket-bridge.ts). Anything that is not a socket answers ENOTSOCK.
import type { WasiContext } from '../context';
import { fail } from '../errors';
import { FdEntry } from '../fd-table';
import { readSome, writeAll } from '../host-io';
import { declare } from '../declare';
import { Errno, Fdflags, Filetype, RIGHTS_SOCKET, Rights, Riflags, Sdflags } from '../spec';

function socketEntry(ctx: WasiContext, fd: number, rights: bigint): FdEntry {
  const entry = ctx.fds.get(fd);
  if (!entry.socket) throw fail(Errno.NOTSOCK);
  return ctx.fds.withRights(fd, rights);
}

function connection(ctx: WasiContext, fd: number, rights: bigint): FdEntry {
  const entry = socketEntry(ctx, fd, rights);
  if (entry.socket?.listening) throw fail(Errno.NOTCONN);
  return entry;
}

export const sockFunctions = [
  declare(
    'sock_accept',
    ['fd', 'flags', 'fd_out'],
    (ctx, fd: number, flags: number, out: number) => {
      const listener = socketEntry(ctx, fd, Rights.SOCK_ACCEPT);
      if (!listener.socket?.listening || !ctx.sockets) return Errno.INVAL;
      if (flags & ~Fdflags.NONBLOCK) return Errno.INVAL;
      const nonblock = ((flags | listener.fdflags) & Fdflags.NONBLOCK) !== 0;
      const [id, hostFd] = ctx.sockets.accept(listener.socket.id, nonblock);
      const sockets = ctx.sockets;
      const newFd = ctx.fds.add({
        hostFd,
        filetype: Filetype.SOCKET_STREAM,
        rightsBase: RIGHTS_SOCKET & ~Rights.SOCK_ACCEPT,
        rightsInheriting: 0n,
        fdflags: flags & Fdflags.NONBLOCK,
        position: null,
        ownsHostFd: false, // the helper thread owns the socket
        readable: true,
        writable: true,
        socket: { id, listening: false },
        onClose: () => sockets.close(id),
      });
      ctx.memory.u32(out, newFd);
      return 0;
    },
  ),
  declare(
    'sock_recv',
    ['fd', 'ri_data', 'ri_data_len', 'ri_flags', 'ro_datalen', 'ro_flags'],
    (
      ctx,
      fd: number,
      iovs: number,
      count: number,
      flags: number,
      outLen: number,
      outFlags: number,
    ) => {
      const entry = connection(ctx, fd, Rights.FD_READ);
      if (flags & ~(Riflags.RECV_PEEK | Riflags.RECV_WAITALL)) return Errno.INVAL;
      const buffers = ctx.memory.iovecs(iovs, count);
      const wanted = buffers.reduce((sum, b) => sum + b.length, 0);
      const data = new Uint8Array(wanted);
      let got = 0;
      do {
        const n = readSome(entry, data.subarray(got), null);
        if (n === 0) break;
        got += n;
      } while (flags & Riflags.RECV_WAITALL && got < wanted);
      if (flags & Riflags.RECV_PEEK) {
        // Put the bytes back in front of whatever was read ahead.
        entry.readahead = Buffer.concat([
          data.subarray(0, got),
          entry.readahead ?? Buffer.alloc(0),
        ]);
      }
      let at = 0;
      for (const buffer of buffers) {
        const n = Math.min(buffer.length, got - at);
        buffer.set(data.subarray(at, at + n));
        at += n;
      }
      ctx.memory.u32(outLen, got);
      ctx.memory.view().setUint16(outFlags, 0, true);
      return 0;
    },
  ),
  declare(
    'sock_send',
    ['fd', 'si_data', 'si_data_len', 'si_flags', 'so_datalen'],
    (ctx, fd: number, iovs: number, count: number, flags: number, out: number) => {
      const entry = connection(ctx, fd, Rights.FD_WRITE);
      if (flags !== 0) return Errno.INVAL;
      const data = Buffer.concat(ctx.memory.iovecs(iovs, count));
      ctx.memory.u32(out, writeAll(entry, data, null));
      return 0;
    },
  ),
  declare('sock_shutdown', ['fd', 'how'], (ctx, fd: number, how: number) => {
    const entry = connection(ctx, fd, Rights.SOCK_SHUTDOWN);
    if (how === 0 || how & ~(Sdflags.RD | Sdflags.WR)) return Errno.INVAL;
    if (how & Sdflags.RD) entry.eof = true;
    ctx.sockets?.shutdown(entry.socket?.id ?? 0, how);
    return 0;
  }),
];
