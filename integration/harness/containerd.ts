// A real containerd for integration tests, private to one test file: its own root, state dir,
// gRPC and ttrpc sockets under a temp dir, and its own namespace (runc's state and cgroups
// are keyed by namespace and id, and other containerds may run on the same machine). The
// repo's bin/ goes first on its PATH, so runtime io.containerd.tswasm.v1 starts our shim.
// `stop()` removes every task, process, mount and file it made, also after a failure.
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binDir } from './repo';
import {
  argv0,
  Background,
  mountsUnder,
  processesReferencing,
  run,
  RunOptions,
  RunResult,
  sleep,
  until,
} from './process';

export const tswasmRuntime = 'io.containerd.tswasm.v1';

/** The pause image the CRI plugin is configured with (tests import it under this name). */
export const criSandboxImage = 'docker.io/tswasm-test/pause:latest';
/** The namespace the CRI plugin keeps its images and containers in. */
export const criNamespace = 'k8s.io';

export interface ContainerdOptions {
  /**
   * Keep the CRI plugin (off by default: it slows start-up), with runtime handler `tswasm`, the
   * sandbox image `criSandboxImage` and an empty CNI config (host-network pods need none).
   */
  cri?: boolean;
  /** containerd log level; `debug` shows every shim call */
  logLevel?: 'debug' | 'info' | 'warn';
}

export class Containerd {
  readonly dir: string;
  readonly socket: string;
  readonly ttrpcSocket: string;
  readonly namespace: string;
  readonly logFile: string;
  private readonly configFile: string;
  private daemon: ChildProcess | undefined;

  private constructor(dir: string, options: ContainerdOptions) {
    this.dir = dir;
    this.socket = path.join(dir, 'containerd.sock');
    this.ttrpcSocket = path.join(dir, 'containerd.sock.ttrpc');
    this.namespace = `integ-${path.basename(dir).slice(-6).toLowerCase()}`;
    this.logFile = path.join(dir, 'containerd.log');
    this.configFile = path.join(dir, 'config.toml');
    const disabled = options.cri ? [] : ['"io.containerd.grpc.v1.cri"'];
    fs.writeFileSync(
      this.configFile,
      [
        'version = 2',
        `root = "${path.join(dir, 'root')}"`,
        `state = "${path.join(dir, 'state')}"`,
        `disabled_plugins = [${disabled.join(', ')}]`,
        '[grpc]',
        `  address = "${this.socket}"`,
        '[ttrpc]',
        `  address = "${this.ttrpcSocket}"`,
        '[debug]',
        `  level = "${options.logLevel ?? 'info'}"`,
        // overlayfs works on this ext4 root; it is containerd's default snapshotter
        ...(options.cri ? criConfig(dir) : []),
        '',
      ].join('\n'),
    );
  }

  /** Starts containerd and waits until it answers. */
  static async start(options: ContainerdOptions = {}): Promise<Containerd> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-ctrd-'));
    const containerd = new Containerd(dir, options);
    try {
      await containerd.startDaemon();
    } catch (err) {
      await containerd.stop();
      throw err;
    }
    return containerd;
  }

  /** The PATH containerd (and so every shim it starts) sees. */
  get path(): string {
    return `${binDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
  }

  private async startDaemon(): Promise<void> {
    const log = fs.openSync(this.logFile, 'a');
    this.daemon = spawn('containerd', ['--config', this.configFile], {
      env: { ...process.env, PATH: this.path },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const daemon = this.daemon;
    let exited = false;
    daemon.on('exit', () => (exited = true));
    await until(
      'containerd to answer',
      async () => {
        if (exited) throw new Error(`containerd exited at start-up\n${this.logTail()}`);
        if (!fs.existsSync(this.socket)) return undefined;
        const version = await this.ctr(['version'], { timeoutMs: 5000 });
        return version.code === 0 ? true : undefined;
      },
      20_000,
      100,
    );
  }

  /** Stops containerd (SIGTERM, then SIGKILL) but keeps its state: shims keep running. */
  async stopDaemon(): Promise<void> {
    const daemon = this.daemon;
    this.daemon = undefined;
    if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
    daemon.kill('SIGTERM');
    const killer = setTimeout(() => daemon.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(killer);
  }

  /** Restarts containerd on the same root and state (running shims must be reconnected). */
  async restart(): Promise<void> {
    await this.stopDaemon();
    await this.startDaemon();
  }

  /** Runs `ctr -a SOCKET -n NAMESPACE ARGS...`. */
  ctr(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run('ctr', ['-a', this.socket, '-n', this.namespace, ...args], {
      timeoutMs: 60_000,
      ...options,
    });
  }

  /** Runs `ctr` in another namespace (e.g. `criNamespace`). */
  ctrIn(namespace: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run('ctr', ['-a', this.socket, '-n', namespace, ...args], {
      timeoutMs: 60_000,
      ...options,
    });
  }

  /** Runs ctr and fails with its output and containerd's log unless it exits 0. */
  async ctrOk(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.ctr(args, options);
    if (result.code !== 0) {
      throw new Error(
        `ctr ${args.join(' ')} exited ${result.code ?? result.signal}` +
          `${result.timedOut ? ' (timed out)' : ''}\n` +
          `stdout: ${result.stdout}\nstderr: ${result.stderr}\n${this.logTail()}`,
      );
    }
    return result;
  }

  /** Starts `ctr ARGS...` in the background (e.g. a `ctr run` whose output is read live). */
  ctrBackground(args: string[]): Background {
    return new Background('ctr', ['-a', this.socket, '-n', this.namespace, ...args]);
  }

  /** Tasks as `ctr task ls` shows them: id → { pid, status }. */
  async tasks(): Promise<Map<string, { pid: number; status: string }>> {
    const result = await this.ctrOk(['task', 'ls']);
    const tasks = new Map<string, { pid: number; status: string }>();
    for (const line of result.stdout.trim().split('\n').slice(1)) {
      const [id, pid, status] = line.trim().split(/\s+/);
      if (id) tasks.set(id, { pid: Number(pid), status });
    }
    return tasks;
  }

  /** Waits until task `id` has `status` (e.g. STOPPED). */
  async waitForStatus(id: string, status: string, timeoutMs = 10_000): Promise<void> {
    await until(
      `task ${id} to be ${status}`,
      async () => ((await this.tasks()).get(id)?.status === status ? true : undefined),
      timeoutMs,
      100,
    );
  }

  /** Processes that mention this containerd's private dir: its shims (not containerd or ctr). */
  shimProcesses(): number[] {
    return processesReferencing(this.dir).filter(
      (pid) => pid !== this.daemon?.pid && path.basename(argv0(pid) ?? '') !== 'ctr',
    );
  }

  /** The shim address containerd recorded for container `id` (read it while the task lives). */
  shimAddress(id: string): string | undefined {
    const file = path.join(this.bundleRoot, id, 'address');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
  }

  /** Where containerd keeps the bundles of this namespace's tasks. */
  get bundleRoot(): string {
    return path.join(this.dir, 'state', 'io.containerd.runtime.v2.task', this.namespace);
  }

  /** The last lines of containerd's log, for failure messages. */
  logTail(lines = 60): string {
    try {
      const all = fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return `--- containerd log (last ${Math.min(lines, all.length)} lines) ---\n${all.slice(-lines).join('\n')}`;
    } catch {
      return '--- no containerd log ---';
    }
  }

  /**
   * Removes every task and container, stops containerd, kills leftover shims, unmounts and
   * deletes the private dir. Safe to call twice and after a failed start.
   */
  async stop(): Promise<void> {
    if (this.daemon) {
      try {
        await this.removeAllContainers();
      } catch {
        // containerd may be the thing that broke; the steps below still clean up
      }
    }
    await this.stopDaemon();
    for (const pid of this.shimProcesses()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.shimProcesses().length > 0) await sleep(200);
    for (const point of mountsUnder(this.dir)) {
      await run('umount', ['-l', point]);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async removeAllContainers(): Promise<void> {
    for (const id of (await this.tasks()).keys()) {
      await this.ctr(['task', 'kill', '-s', 'SIGKILL', id], { timeoutMs: 10_000 });
      await this.waitForStatus(id, 'STOPPED', 5000).catch(() => {});
      await this.ctr(['task', 'delete', '--force', id], { timeoutMs: 10_000 });
    }
    const containers = await this.ctr(['container', 'ls', '-q'], { timeoutMs: 10_000 });
    for (const id of containers.stdout.split('\n').filter(Boolean)) {
      await this.ctr(['container', 'rm', id], { timeoutMs: 10_000 });
    }
  }
}

function criConfig(dir: string): string[] {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  for (const sub of ['bin', 'conf']) fs.mkdirSync(path.join(dir, 'cni', sub), { recursive: true });
  return [
    `${cri}]`,
    `  sandbox_image = "${criSandboxImage}"`,
    `${cri}.cni]`,
    `  bin_dir = "${path.join(dir, 'cni', 'bin')}"`,
    `  conf_dir = "${path.join(dir, 'cni', 'conf')}"`,
    `${cri}.containerd.runtimes.tswasm]`,
    `  runtime_type = "${tswasmRuntime}"`,
    // a runtimes table replaces the built-in list; without runc (the default) CRI won't load
    `${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
  ];
}
