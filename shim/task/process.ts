// One container process (the init process or an exec): its state, its exit, and the
// operations on it. Public methods serialize per process and delegate; the transition table
// (state.ts) decides; the runner (worker or sandbox) does the running.
import type { StdioPaths } from '../stdio/open';
import { ExitInfo, ignoredSignals, Runner, SIGKILL, Usage } from './runner';
import { ProcessState, transition } from './state';

export interface ProcessEvents {
  /** The process ended: state is already 'stopped'. Publish TaskExit here. */
  exited(process: Process, exit: ExitInfo): void;
}

export class Process {
  private stateValue: ProcessState = 'created';
  private exitInfo: ExitInfo | undefined;
  private readonly runner: Runner;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ended: Promise<ExitInfo>;
  private settle!: (exit: ExitInfo) => void;

  constructor(
    readonly containerId: string,
    /** '' for the init process. */
    readonly execId: string,
    readonly pid: number,
    readonly stdio: StdioPaths,
    makeRunner: () => Runner,
    private readonly events: ProcessEvents,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
    // made now, so a worker can boot and compile while containerd gets to Start
    this.runner = makeRunner();
  }

  get state(): ProcessState {
    return this.stateValue;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The id events carry: the exec id, or the container id for the init process. */
  get eventId(): string {
    return this.execId || this.containerId;
  }

  /** Starts the module. `started` runs before any exit can be reported (TaskStart first). */
  start(started: () => void): Promise<void> {
    return this.serialize(async () => {
      const next = transition(this.stateValue, 'start');
      const runner = this.runner;
      runner.start();
      this.stateValue = next;
      started();
      void runner.exited.then((exit) => this.serialize(async () => this.exited(exit)));
    });
  }

  /** Resolves once the process has ended (or was deleted without running). */
  wait(): Promise<ExitInfo> {
    return this.ended;
  }

  kill(signal: number): Promise<void> {
    return this.serialize(async () => {
      transition(this.stateValue, 'kill');
      if (ignoredSignals.has(signal)) return;
      if (this.stateValue === 'created') {
        // never started: it ends here, as a killed process would
        this.runner.discard();
        this.exited({ status: 128 + SIGKILL, at: new Date(), oom: false });
        return;
      }
      this.runner.signal(signal);
    });
  }

  pause(): Promise<void> {
    return this.serialize(async () => {
      const next = transition(this.stateValue, 'pause');
      await this.runner.pause();
      this.stateValue = next;
    });
  }

  resume(): Promise<void> {
    return this.serialize(async () => {
      const next = transition(this.stateValue, 'resume');
      await this.runner.resume();
      this.stateValue = next;
    });
  }

  /** Deletes a stopped or never-started process; returns its exit. Releases pending waits. */
  delete(): Promise<ExitInfo> {
    return this.serialize(async () => {
      const next = transition(this.stateValue, 'delete');
      if (this.stateValue === 'created') {
        this.runner.discard();
        const exit = { status: 128 + SIGKILL, at: new Date(), oom: false };
        this.exitInfo = exit;
        this.settle(exit);
      }
      this.stateValue = next;
      return this.exitInfo!;
    });
  }

  /** CloseIO: may come before Start (ctr with an empty stdin); the runner exists already. */
  closeStdin(): void {
    this.runner.closeStdin();
  }

  usage(): Usage {
    return this.runner.usage();
  }

  measured(): Promise<void> {
    return this.runner.measured();
  }

  setMemoryLimit(bytes: number | undefined): void {
    this.runner.setMemoryLimit(bytes);
  }

  /** True while the process may still run (not stopped or deleted). */
  get live(): boolean {
    return (
      this.stateValue === 'created' || this.stateValue === 'running' || this.stateValue === 'paused'
    );
  }

  private exited(exit: ExitInfo): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'deleted') return;
    this.stateValue = transition(this.stateValue, 'exit');
    this.exitInfo = exit;
    this.events.exited(this, exit);
    this.settle(exit);
  }

  /** Runs `work` after every earlier operation on this process has finished. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
