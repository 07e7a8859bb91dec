// clock_res_get and clock_time_get over Node's clocks: realtime = wall clock (ns), monotonic =
// process.hrtime. The CPU-time clocks answer EBADF, as in wasmtime (preview 2 has none).
import { fail } from '../errors';
import { declare } from '../declare';
import { Clockid, Errno } from '../spec';

/** Wall-clock ns at the moment hrtime read `hrtimeOrigin`: realtime = this + (hrtime - origin). */
const hrtimeOrigin = process.hrtime.bigint();
const realtimeOrigin = BigInt(Date.now()) * 1_000_000n;

/** Current time of a WASI clock in ns, or EINVAL for an unknown clock. */
export function now(clock: number): bigint {
  switch (clock) {
    case Clockid.REALTIME:
      return realtimeOrigin + (process.hrtime.bigint() - hrtimeOrigin);
    case Clockid.MONOTONIC:
      return process.hrtime.bigint();
    case Clockid.PROCESS_CPUTIME_ID:
    case Clockid.THREAD_CPUTIME_ID:
      throw fail(Errno.BADF);
    default:
      throw fail(Errno.INVAL);
  }
}

const resolutionNs: Record<number, bigint> = {
  [Clockid.REALTIME]: 1000n,
  [Clockid.MONOTONIC]: 1n,
};

export const clockFunctions = [
  declare('clock_res_get', ['id', 'resolution'], (ctx, id: number, out: number) => {
    if (id === Clockid.PROCESS_CPUTIME_ID || id === Clockid.THREAD_CPUTIME_ID) return Errno.BADF;
    const res = resolutionNs[id];
    if (res === undefined) return Errno.INVAL;
    ctx.memory.u64(out, res);
    return 0;
  }),
  declare(
    'clock_time_get',
    ['id', 'precision', 'time'],
    (ctx, id: number, _precision: bigint, out: number) => {
      ctx.memory.u64(out, now(id));
      return 0;
    },
  ),
];
