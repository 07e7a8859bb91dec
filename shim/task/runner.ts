// What runs behind a container process: a Wasm module in a worker thread, or the emulated
// CRI sandbox (pause) container. The Process drives a Runner; the Runner only runs.

export interface ExitInfo {
  /** Exit status: the module's exit code, 128+signal when killed, 137 on trap or OOM. */
  status: number;
  at: Date;
  /** The process ended because it went past its memory limit. */
  oom: boolean;
}

export interface Usage {
  /** Bytes: linear memory plus the worker's JS heap. */
  memoryBytes: number;
  /** CPU time of the worker thread, in nanoseconds. */
  cpuNanos: number;
}

export interface Runner {
  /** Begins running; `exited` settles once, after output is drained and closed. */
  start(): void;
  readonly exited: Promise<ExitInfo>;
  /** Delivers a signal that ends the process (the caller filters ignored signals). */
  signal(signal: number): void;
  /** Stops the process where it is; resolves once it stands still. */
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  usage(): Usage;
  /** Resolves once usage() has real figures (a booting worker has none yet), or soon after. */
  measured(): Promise<void>;
  setMemoryLimit(bytes: number | undefined): void;
  /** The client closed stdin: make sure the process sees EOF. */
  closeStdin(): void;
  /** Releases what the runner holds when it is dropped without having started. */
  discard(): void;
}

/** Signals containerd may send that do not end a process; every other one ends it. */
export const ignoredSignals: ReadonlySet<number> = new Set([
  0, // existence check
  17, // SIGCHLD
  18, // SIGCONT
  23, // SIGURG
  28, // SIGWINCH
  // job-control stops do not end a process (Pause is the way to stop a module)
  19, // SIGSTOP
  20, // SIGTSTP
  21, // SIGTTIN
  22, // SIGTTOU
]);

export const SIGINT = 2;
export const SIGKILL = 9;
export const SIGTERM = 15;
