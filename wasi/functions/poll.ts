// poll_oneoff: clock subscriptions (relative or absolute, on any clock) and fd readiness.
// Node has no poll(2) for a synchronous caller, so readiness is probed (host-io.probeReadable)
// and the thread sleeps between probes; with clocks only it sleeps once until the earliest.
import type { WasiContext } from '../context';
import { probeReadable, sleepMs } from '../host-io';
import { declare } from '../declare';
import {
  Clockid,
  Errno,
  Eventrwflags,
  Eventtype,
  Filetype,
  Layout,
  Rights,
  Subclockflags,
} from '../spec';
import { now } from './clock';

interface Ready {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
  flags: number;
}

/** Interval between readiness probes while waiting on fds, in ms. */
const PROBE_INTERVAL_MS = 1;

export const pollFunctions = [
  declare(
    'poll_oneoff',
    ['in', 'out', 'nsubscriptions', 'nevents'],
    (ctx, inPtr: number, outPtr: number, count: number, neventsPtr: number) => {
      if (count === 0) return Errno.INVAL;
      const view = ctx.memory.view();
      const S = Layout.subscription;
      const start = process.hrtime.bigint();
      const clocks: { userdata: bigint; deadline: bigint }[] = [];
      const fdSubs: { userdata: bigint; type: number; fd: number }[] = [];
      for (let i = 0; i < count; i++) {
        const at = inPtr + i * S.size;
        const userdata = view.getBigUint64(at + S.userdata, true);
        const type = view.getUint8(at + S.tag);
        if (type === Eventtype.CLOCK) {
          const clock = view.getUint32(at + S.clockId, true);
          const timeout = view.getBigUint64(at + S.clockTimeout, true);
          const flags = view.getUint16(at + S.clockFlags, true);
          // Only the realtime and monotonic clocks can be waited on (wasmtime: EINVAL).
          if (clock !== Clockid.REALTIME && clock !== Clockid.MONOTONIC) return Errno.INVAL;
          // Deadlines are kept on the monotonic clock: absolute times are converted once.
          const wait =
            flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME ? timeout - now(clock) : timeout;
          clocks.push({ userdata, deadline: start + (wait > 0n ? wait : 0n) });
        } else if (type === Eventtype.FD_READ || type === Eventtype.FD_WRITE) {
          // A bad descriptor fails the whole call, as in wasmtime.
          const fd = view.getUint32(at + S.fd, true);
          const entry = ctx.fds.get(fd);
          const usable = type === Eventtype.FD_READ ? entry.readable : entry.writable;
          if (entry.filetype === Filetype.DIRECTORY || (!usable && !entry.socket))
            return Errno.BADF;
          ctx.fds.withRights(fd, Rights.POLL_FD_READWRITE);
          fdSubs.push({ userdata, type, fd });
        } else {
          return Errno.INVAL;
        }
      }
      let ready: Ready[] = [];
      for (;;) {
        for (const sub of fdSubs) {
          const entry = ctx.fds.get(sub.fd);
          if (sub.type === Eventtype.FD_WRITE) {
            ready.push({ userdata: sub.userdata, error: 0, type: sub.type, nbytes: 0n, flags: 0 });
            continue;
          }
          const available =
            entry.socket?.listening && ctx.sockets
              ? ctx.sockets.pending(entry.socket.id)
              : probeReadable(entry);
          if (available >= 0) {
            // End of stream, or a file read to its end (wasmtime says hangup there too).
            const atEnd =
              entry.eof || (entry.filetype === Filetype.REGULAR_FILE && available === 0);
            const hangup = atEnd ? Eventrwflags.FD_READWRITE_HANGUP : 0;
            ready.push({
              userdata: sub.userdata,
              error: 0,
              type: sub.type,
              nbytes: BigInt(available),
              flags: hangup,
            });
          }
        }
        const t = process.hrtime.bigint();
        for (const clock of clocks) {
          if (clock.deadline <= t) {
            ready.push({
              userdata: clock.userdata,
              error: 0,
              type: Eventtype.CLOCK,
              nbytes: 0n,
              flags: 0,
            });
          }
        }
        if (ready.length > 0) break;
        const earliest = clocks.reduce<bigint | undefined>(
          (m, c) => (m === undefined || c.deadline < m ? c.deadline : m),
          undefined,
        );
        const untilClockMs = earliest === undefined ? Infinity : Number(earliest - t) / 1e6;
        sleepMs(fdSubs.length > 0 ? Math.min(PROBE_INTERVAL_MS, untilClockMs) : untilClockMs);
        ready = [];
      }
      const E = Layout.event;
      const out = ctx.memory.view();
      for (const [i, event] of ready.entries()) {
        const at = outPtr + i * E.size;
        ctx.memory.bytes(at, E.size).fill(0);
        out.setBigUint64(at + E.userdata, event.userdata, true);
        out.setUint16(at + E.error, event.error, true);
        out.setUint8(at + E.type, event.type);
        out.setBigUint64(at + E.nbytes, event.nbytes, true);
        out.setUint16(at + E.flags, event.flags, true);
      }
      ctx.memory.u32(neventsPtr, ready.length);
      return 0;
    },
  ),
];
