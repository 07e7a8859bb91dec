// proc_exit, proc_raise, sched_yield, random_get.
import { randomFillSync } from 'crypto';
import { ProcExit } from '../errors';
import { declare } from '../declare';
import { Errno } from '../spec';

export const procFunctions = [
  // Unwinds the guest through every frame: nothing after proc_exit runs.
  declare('proc_exit', ['rval'], (_ctx, code: number) => {
    throw new ProcExit(code >>> 0);
  }),
  // Signals are not part of the sandbox (wasmtime does not support them either).
  declare('proc_raise', ['sig'], () => Errno.NOSYS),
  declare('sched_yield', [], () => 0),
  declare('random_get', ['buf', 'buf_len'], (ctx, buf: number, len: number) => {
    randomFillSync(ctx.memory.bytes(buf, len));
    return 0;
  }),
];
