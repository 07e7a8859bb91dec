// Runs one container process's Wasm module in its own worker thread. Stops it with
// worker.terminate() (V8 ends a busy loop at its next back-edge or call), pauses it through
// V8's debugger (worker-pause.ts); reads its memory and CPU for Stats. The module's code has
// no pause or stop checks of its own: the shim installs no engine interrupt flag.
import * as fs from 'fs';
import * as path from 'path';
import type { EventLoopUtilization } from 'perf_hooks';
import { ResourceLimits, Worker, WorkerOptions } from 'worker_threads';
import type { ProcessPlan } from '../../oci/plan';
import { OpenedOutput, OpenedStdin, openStdin } from '../stdio/open';
import type { EngineName } from '../worker/engine';
import {
  gate,
  reportKind,
  SpareWorkerData,
  statSlot,
  statSlots,
  WorkerJob,
  WorkerReport,
} from '../worker/protocol';
import { ExitInfo, Runner, SIGKILL, Usage } from './runner';
import { isPaused, pauseWorker, resumeWorker } from './worker-pause';

/** How long terminate() may take before the exit is reported anyway. */
const terminateGraceMs = 1000;
/** How long Stats waits for a booting worker's first figures. */
const measureWaitMs = 2000;
/** Exit status of a trap or an OOM kill, as a SIGKILLed process would have. */
const killedStatus = 128 + SIGKILL;

export interface WasmRunnerOptions {
  plan: ProcessPlan;
  preopens: Record<string, string>;
  memoryLimit: number | undefined;
  output: OpenedOutput;
  /** Path to open as stdin in the worker ('' = none). */
  stdinPath: string;
  engine: EngineName;
  log?: (message: string) => void;
}

/**
 * A container's worker thread. Bundled (dist/bin/worker.js beside cached-boot.js), it boots
 * through cached-boot.js as the daemon does, so the engine's code comes from a V8 code cache
 * (worker.js.v8cache, written by the first worker that ends normally, with the functions its
 * module needed compiled): measured ~15 ms less per worker boot for a hello world.
 */
function spawnWorker(options: WorkerOptions): Worker {
  const script = workerScript();
  const loader = path.join(path.dirname(script), 'cached-boot.js');
  if (path.basename(script) !== 'worker.js' || !fs.existsSync(loader))
    return new Worker(script, options);
  return new Worker(loader, { ...options, argv: [script] });
}

/** dist/bin/worker.js beside the bundled shim, or dist/shim/worker/main.js when unbundled. */
export function workerScript(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.join(__dirname, '../worker/main.js')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined)
    throw new Error(`worker script not found (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * The worker's JS heap cap under a container memory limit. The heap also holds the engine's
 * compiled code, which is ours rather than the module's, so it gets room beyond the limit.
 */
export function heapLimitMb(limitBytes: number): number {
  return Math.max(256, 2 * Math.ceil(limitBytes / 2 ** 20));
}

/**
 * The young generation of a worker, in MB. Most containers spend their life waiting; V8's
 * default lets it grow to 16 MB and keep that. 2 MB is close to the floor (1 saves ~0.1 MB).
 */
const youngGenerationMb = 2;

function workerLimits(memoryLimit: number | undefined): ResourceLimits {
  return {
    maxYoungGenerationSizeMb: youngGenerationMb,
    ...(memoryLimit === undefined ? {} : { maxOldGenerationSizeMb: heapLimitMb(memoryLimit) }),
  };
}

/**
 * How long a spare booted after a container started waits for the next Create before it is
 * ended: Creates come in bursts (a pod's containers, exec after start), and a daemon that
 * goes quiet keeps no unused thread (~8 MB).
 */
const spareIdleMs = 10_000;

/**
 * Workers this daemon has run. A daemon that has had only one (one per container, as `ctr
 * run` gets outside a group) is unlikely to see another Create, so it boots no spare for one:
 * ~8 MB less per container there. From the second on (a pod, a group, an exec), each start
 * boots the next spare.
 */
let workersRun = 0;

/** A worker booted ahead of its job (see prewarmWorker), and whether it is still usable. */
let spare:
  | { worker: Worker; engine: EngineName; alive: boolean; retire: NodeJS.Timeout | undefined }
  | undefined;

/**
 * Boots a worker before a container asks for one, so Create does not wait for a thread, the
 * worker script and the engine to load (a cold Start-to-exit of hello is ~200 ms longer than
 * a warm one here). It warms its engine, then waits for its job as a message. One at a time:
 * the daemon asks for one as it starts (kept until its first Create), and once it has run more
 * than one worker, each start asks for the next (ended after `idleMs` unused).
 */
export function prewarmWorker(engine: EngineName, idleMs?: number): void {
  if (spare?.alive) return;
  const worker = spawnWorker({
    workerData: { spare: true, engine } satisfies SpareWorkerData,
    stdout: false,
    stderr: false,
    resourceLimits: workerLimits(undefined),
  });
  const entry = { worker, engine, alive: true, retire: undefined as NodeJS.Timeout | undefined };
  worker.once('error', () => (entry.alive = false));
  worker.once('exit', () => (entry.alive = false));
  worker.unref(); // until it has a job, it keeps nothing alive
  if (idleMs !== undefined) {
    entry.retire = setTimeout(() => {
      if (spare === entry) spare = undefined;
      void worker.terminate();
    }, idleMs);
    entry.retire.unref();
  }
  spare = entry;
}

/** Ends the spare worker, if there is one. */
export function endSpareWorker(): void {
  const ended = spare;
  spare = undefined;
  if (ended === undefined) return;
  clearTimeout(ended.retire);
  void ended.worker.terminate();
}

/** The thread id of the spare worker, if one is booted and usable (for tests and logs). */
export function spareWorkerId(): number | undefined {
  return spare?.alive ? spare.worker.threadId : undefined;
}

/**
 * The pre-booted worker, when it suits a job on `engine` with no memory limit (the heap cap is
 * fixed at a worker's birth); otherwise undefined, and the spare stays for a later Create.
 */
function takeSpareWorker(engine: EngineName, memoryLimit: number | undefined): Worker | undefined {
  const taken = spare;
  if (taken === undefined || !taken.alive || taken.engine !== engine) return undefined;
  if (memoryLimit !== undefined) return undefined;
  spare = undefined;
  clearTimeout(taken.retire);
  taken.worker.ref();
  return taken.worker;
}

let stuckWorkers = 0;

/**
 * Workers that could not be terminated (blocked in a system call). Node joins every worker
 * thread on exit, so a daemon holding one must end itself with SIGKILL instead.
 */
export function hasStuckWorkers(): boolean {
  return stuckWorkers > 0;
}

export class WasmRunner implements Runner {
  readonly exited: Promise<ExitInfo>;
  private finish!: (info: ExitInfo) => void;
  private worker: Worker | undefined;
  private readonly gate = new Int32Array(new SharedArrayBuffer(4));
  private eluAtStart: EventLoopUtilization | undefined;
  private discarded = false;
  private readonly stats = new Float64Array(new SharedArrayBuffer(8 * statSlots));
  private report: WorkerReport | undefined;
  private killedBy: number | undefined;
  private workerFailure: Error | undefined;
  private finished = false;
  private cpuBaseMs = 0;
  /** Time spent paused (stopped in the debugger counts as busy for the event loop). */
  private pausedMs = 0;
  private pausedAt: number | undefined;
  private stdin: OpenedStdin;

  constructor(private readonly options: WasmRunnerOptions) {
    this.exited = new Promise((resolve) => (this.finish = resolve));
    this.stats[statSlot.memoryLimit] = options.memoryLimit ?? 0;
    this.stdin = openStdin(options.stdinPath);
    this.prepare();
  }

  /** Spawns the worker now (Create): it boots and compiles, then waits at the gate for start(). */
  private prepare(): void {
    const { plan, output } = this.options;
    const job: WorkerJob = {
      entryPath: plan.entryPath,
      args: plan.args,
      env: plan.env,
      preopens: this.options.preopens,
      stdout: output.stdout,
      stderr: output.stderr,
      engine: this.options.engine,
      stdin: this.stdin.reader,
      gate: this.gate.buffer as SharedArrayBuffer,
      stats: this.stats.buffer as SharedArrayBuffer,
    };
    const limit = this.options.memoryLimit;
    let worker = takeSpareWorker(this.options.engine, limit);
    if (worker !== undefined) worker.postMessage(job);
    else
      worker = spawnWorker({
        workerData: job,
        stdout: false,
        stderr: false,
        // the JS heap is bounded too, so a runaway worker ends as OOM, not the whole daemon
        resourceLimits: workerLimits(limit),
      });
    this.worker = worker;
    workersRun++;
    worker.on('message', (message: WorkerReport) => (this.report ??= message));
    worker.on('error', (err) => (this.workerFailure ??= err));
    worker.on('exit', () => this.complete());
  }

  start(): void {
    try {
      this.eluAtStart = this.worker?.performance.eventLoopUtilization();
    } catch {
      // not online yet: CPU counts from the worker's birth
    }
    Atomics.store(this.gate, 0, gate.go);
    Atomics.notify(this.gate, 0);
    // the next Create finds a warm worker; booted now, not at Create, so that it does not
    // compete with this container's compile
    if (workersRun > 1) prewarmWorker(this.options.engine, spareIdleMs);
  }

  signal(signal: number): void {
    if (this.finished || this.worker === undefined) return;
    this.killedBy ??= signal;
    this.terminate(this.worker);
  }

  async pause(): Promise<void> {
    if (this.finished || this.worker === undefined) return;
    this.pausedAt ??= performance.now();
    // blocked: in the same host call at two looks blockedCheckMs apart
    let seen = this.stats[statSlot.hostCall];
    await pauseWorker(this.worker, () => {
      const now = this.stats[statSlot.hostCall];
      const same = now !== 0 && now === seen;
      seen = now;
      return same;
    });
  }

  async resume(): Promise<void> {
    if (this.worker === undefined || !isPaused(this.worker)) return;
    if (this.pausedAt !== undefined) this.pausedMs += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
    await resumeWorker(this.worker);
  }

  usage(): Usage {
    const memoryBytes = this.stats[statSlot.linearMemory] + this.stats[statSlot.heapUsed];
    let activeMs = this.cpuBaseMs;
    if (this.worker !== undefined && !this.finished) {
      try {
        activeMs = this.worker.performance.eventLoopUtilization(this.eluAtStart).active;
        this.cpuBaseMs = activeMs;
      } catch {
        // the worker is going away; keep the last figure
      }
    }
    const paused =
      this.pausedMs + (this.pausedAt === undefined ? 0 : performance.now() - this.pausedAt);
    return { memoryBytes, cpuNanos: Math.max(0, Math.round((activeMs - paused) * 1e6)) };
  }

  async measured(): Promise<void> {
    const deadline = Date.now() + measureWaitMs;
    while (this.stats[statSlot.heapUsed] === 0 && !this.finished && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  setMemoryLimit(bytes: number | undefined): void {
    this.stats[statSlot.memoryLimit] = bytes ?? 0;
  }

  closeStdin(): void {
    // our keeper was the last writer once the client closed its end: the module reads EOF
    if (this.stdin.keeper >= 0) fs.closeSync(this.stdin.keeper);
    this.stdin.keeper = -1;
  }

  discard(): void {
    // the worker waits at the gate: let it go home without running
    Atomics.store(this.gate, 0, gate.cancel);
    Atomics.notify(this.gate, 0);
    this.discarded = true;
    void this.worker?.terminate();
    this.closeStdin();
    this.closeStdinReader();
    this.options.output.close();
  }

  private closeStdinReader(): void {
    if (this.stdin.reader >= 0) fs.closeSync(this.stdin.reader);
    this.stdin.reader = -1;
  }

  /** How the module ended, from the shared stats, when its message has not arrived. */
  private sharedReport(): WorkerReport | undefined {
    switch (this.stats[statSlot.endKind]) {
      case reportKind.exit:
        return { kind: 'exit', code: this.stats[statSlot.exitCode] };
      case reportKind.trap:
        return { kind: 'trap', message: 'trap' };
      case reportKind.stopped:
        return { kind: 'stopped' };
      case reportKind.oom:
        return { kind: 'oom', message: 'memory limit exceeded' };
      case reportKind.failed:
        return { kind: 'failed', message: 'the module could not run' };
      default:
        return undefined;
    }
  }

  private terminate(worker: Worker): void {
    if (this.finished) return;
    void worker.terminate();
    // a worker stopped in the debugger ends once it goes on (terminate() alone would wait)
    if (isPaused(worker)) void resumeWorker(worker);
    // a read blocked on stdin cannot be terminated; a byte through our keeper wakes it, and the
    // module is terminated before it sees the byte
    if (this.stdin.keeper >= 0) {
      try {
        fs.writeSync(this.stdin.keeper, '\n');
      } catch {
        // the pipe is full: the reader is not blocked then
      }
    }
    // a worker stuck in a blocking system call cannot be terminated: report the exit anyway
    setTimeout(() => this.complete(true), terminateGraceMs).unref();
  }

  /** The worker ended (or will not end): close output, then settle `exited`. */
  private complete(stuck = false): void {
    if (this.finished) return;
    this.finished = true;
    if (this.worker !== undefined && isPaused(this.worker)) void resumeWorker(this.worker);
    const report = this.report ?? this.sharedReport();
    if ((report?.kind === 'failed' || report?.kind === 'trap') && !this.discarded)
      this.options.log?.(
        `module ${report.kind === 'trap' ? 'trapped' : 'failed'}: ${report.message}`,
      );
    let status: number;
    let oom = false;
    if (report?.kind === 'exit') status = report.code;
    else if (report?.kind === 'oom' || isOutOfMemory(this.workerFailure)) {
      status = killedStatus;
      oom = true;
    } else if (this.killedBy !== undefined) status = 128 + this.killedBy;
    else if (report?.kind === 'trap') status = killedStatus;
    else if (report?.kind === 'stopped') status = killedStatus;
    else if (report?.kind === 'failed') status = 1;
    else {
      if (!this.discarded)
        this.options.log?.(
          `worker ended without a report: ${this.workerFailure?.message ?? 'no error'}`,
        );
      status = 255;
    }
    // a signal that arrived while the module was ending on its own does not change its code,
    // but a stop that ended it does
    if (this.killedBy !== undefined && report?.kind !== 'exit' && !oom)
      status = 128 + this.killedBy;
    if (stuck) stuckWorkers++;
    // a stuck worker may still write: leave its fds open rather than let them be reused
    if (!stuck) {
      this.options.output.close();
      this.closeStdinReader();
    }
    this.closeStdin();
    this.finish({ status: status >>> 0, at: new Date(), oom });
  }
}

function isOutOfMemory(err: Error | undefined): boolean {
  return (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
