// proc_exit, proc_raise, sched_yield, random_get.
import { GuestTrap, ProcExit } from '../errors';
import { declare } from '../declare';
import { Errno } from '../spec';

// crypto loads on first use: most modules never ask, and it costs every container thread
let randomFill: ((buffer: Uint8Array) => Uint8Array) | undefined;

export const procFunctions = [
  // Unwinds the guest through every frame: nothing after proc_exit runs. Statuses from 126 up
  // are reserved for the host (signals, traps); wasmtime traps on them, and so do we.
  declare('proc_exit', ['rval'], (_ctx, code: number) => {
    if (code >>> 0 >= 126) {
      throw new GuestTrap('exit with invalid exit status outside of [0..126)');
    }
    throw new ProcExit(code >>> 0);
  }),
  // Signals are not part of the sandbox: ENOTSUP, as in wasmtime.
  declare('proc_raise', ['sig'], () => Errno.NOTSUP),
  declare('sched_yield', [], () => 0),
  declare('random_get', ['buf', 'buf_len'], (ctx, buf: number, len: number) => {
    randomFill ??= (require('crypto') as typeof import('crypto')).randomFillSync;
    randomFill(ctx.memory.bytes(buf, len));
    return 0;
  }),
];
