// What the shim's main thread and a container worker tell each other. The worker gets its
// job in workerData (or, pre-booted, as its first message); it reports through postMessage
// and the shared stats. Pause and stop do not go through here: the main thread pauses the
// worker in V8's debugger and stops it with worker.terminate().

/**
 * The start gate (Int32Array(1)): the worker is spawned and compiles the module at Create,
 * then blocks on the gate until Start opens it (go) or the task goes away unstarted (cancel).
 */
export const gate = { closed: 0, go: 1, cancel: 2 } as const;

/** Slots of the shared Float64Array the worker keeps up to date for Stats. */
export const statSlot = {
  /** Bytes of the module's linear memory (worker writes). */
  linearMemory: 0,
  /** Bytes of the worker's JS heap in use (worker writes). */
  heapUsed: 1,
  /** Memory limit in bytes, 0 = none (main writes on Update; applied at the next WASI call). */
  memoryLimit: 2,
  /** How the module ended (a reportKind code; worker writes before it reports). */
  endKind: 3,
  /** The exit code when endKind is `exit`. */
  exitCode: 4,
  /**
   * While the module is in a host (WASI) call: that call's number, counting from 1; 0 outside
   * (worker writes). The same number twice some time apart means a call that blocks (a sleep,
   * a read): Pause need not wait for a worker that runs no code until the call returns.
   */
  hostCall: 5,
} as const;
export const statSlots = 6;

/**
 * The kind of each report as a number, also stored in the shared stats, so the main thread
 * knows how the module ended even if the worker's message is still in flight at its exit.
 */
export const reportKind = { none: 0, exit: 1, trap: 2, stopped: 3, oom: 4, failed: 5 } as const;

import type { EngineName } from './engine';

export interface WorkerJob {
  engine: EngineName;
  /** Host path of the module. */
  entryPath: string;
  args: string[];
  env: Record<string, string>;
  /** Guest path → host path. */
  preopens: Record<string, string>;
  /** Host fd for stdout and stderr (opened by the main thread); -1 means discard. */
  stdout: number;
  stderr: number;
  /** Host fd for stdin (opened by the main thread); -1 means none (reads see EOF). */
  stdin: number;
  /** Int32Array(1) over this buffer: the start gate. */
  gate: SharedArrayBuffer;
  /** Float64Array(statSlots) over this buffer; holds the memory limit too. */
  stats: SharedArrayBuffer;
}

/** workerData of a worker booted ahead of its job, which then comes as its first message. */
export interface SpareWorkerData {
  spare: true;
  engine: EngineName;
}

export type WorkerReport =
  /** The module ended by returning from _start (0) or proc_exit(code). */
  | { kind: 'exit'; code: number }
  /** The module trapped; message and Wasm backtrace were written to stderr. */
  | { kind: 'trap'; message: string }
  /** The task went away before Start: the module never ran. */
  | { kind: 'stopped' }
  /** The module went past its memory limit. */
  | { kind: 'oom'; message: string }
  /** The module could not be loaded or started (bad module, missing import). */
  | { kind: 'failed'; message: string };
