// The lifecycle of one container process (init or exec), as one transition table: which
// operation is allowed in which state, where it leads, and the sentence that refuses it.
import { failedPrecondition, notFound, ShimError } from '../errors';

export type ProcessState = 'created' | 'running' | 'paused' | 'stopped' | 'deleted';

export type ProcessOperation = 'start' | 'pause' | 'resume' | 'exit' | 'kill' | 'delete';

/** For each operation: state before → state after. A missing entry means refused. */
export const transitions: Record<ProcessOperation, Partial<Record<ProcessState, ProcessState>>> = {
  start: { created: 'running' },
  pause: { running: 'paused' },
  resume: { paused: 'running' },
  // the process ended: its module returned, trapped, or was killed
  exit: { created: 'stopped', running: 'stopped', paused: 'stopped' },
  // kill keeps the state; the exit that follows moves it
  kill: { created: 'created', running: 'running', paused: 'paused' },
  // a created task may be deleted without ever running (ctr, CRI clean-up)
  delete: { created: 'deleted', stopped: 'deleted' },
};

/** Status enum of containerd.v1.types.Status. */
export const statusCode: Record<ProcessState, number> = {
  created: 1,
  running: 2,
  stopped: 3,
  paused: 4,
  // a deleted process is no longer reported; UNKNOWN if ever asked
  deleted: 0,
};

/** The state after `op`, or the error refusing it, in a plain sentence. */
export function transition(state: ProcessState, op: ProcessOperation): ProcessState {
  const next = transitions[op][state];
  if (next !== undefined) return next;
  throw refusal(state, op);
}

export function allowed(state: ProcessState, op: ProcessOperation): boolean {
  return transitions[op][state] !== undefined;
}

function refusal(state: ProcessState, op: ProcessOperation): ShimError {
  switch (state) {
    case 'stopped':
      // killing an exited process is NotFound in containerd's semantics (runc: "process already finished")
      if (op === 'kill') return notFound('process already finished');
      return failedPrecondition(`cannot ${op} a stopped process`);
    case 'deleted':
      return notFound(`cannot ${op} a deleted process`);
    case 'created':
    case 'running':
    case 'paused':
      return failedPrecondition(`cannot ${op} a ${state} process`);
    default:
      return assertNever(state);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
