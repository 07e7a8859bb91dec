// The CRI sandbox (pause) container, emulated: no module runs; it is RUNNING until killed,
// then exits 137 on SIGKILL and 0 on SIGTERM or SIGINT, as the pause binary does.
import { ExitInfo, Runner, SIGINT, SIGKILL, SIGTERM, Usage } from './runner';

export class SandboxRunner implements Runner {
  readonly exited: Promise<ExitInfo>;
  private finish!: (info: ExitInfo) => void;
  private done = false;

  constructor() {
    this.exited = new Promise((resolve) => (this.finish = resolve));
  }

  start(): void {}

  signal(signal: number): void {
    if (this.done) return;
    this.done = true;
    const status =
      signal === SIGTERM || signal === SIGINT ? 0 : signal === SIGKILL ? 137 : 128 + signal;
    this.finish({ status, at: new Date(), oom: false });
  }

  pause(): void {}
  resume(): void {}
  measured(): Promise<void> {
    return Promise.resolve();
  }
  usage(): Usage {
    return { memoryBytes: 0, cpuNanos: 0 };
  }
  setMemoryLimit(): void {}
  closeStdin(): void {}
  discard(): void {}
}
