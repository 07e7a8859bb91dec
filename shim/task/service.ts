// The containerd Task service (containerd.task.v2.Task, also answered as v3): every RPC in the
// runc shim's shape — look up the container, delegate, publish the event, return. Errors are
// converted to status codes in one place (register.ts via toRpcError).
import * as fs from 'fs';
import * as path from 'path';
import { parseProcess, readBundleConfig } from '../../oci/config';
import { PlanError, planExec, planFromSpec, ProcessPlan, RunPlan } from '../../oci/plan';
import * as pb from '../../proto';
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  notFound,
  unimplemented,
} from '../errors';
import { mountAll, unmountAll } from '../mount';
import { openOutput, StdioPaths, stdinPath } from '../stdio/open';
import { Container } from './container';
import { Process, ProcessEvents } from './process';
import { ExitInfo, Runner } from './runner';
import { SandboxRunner } from './sandbox-runner';
import { statusCode } from './state';
import { metricsFor } from './stats';
import { WasmRunner } from './wasm-runner';
import type { EngineName } from '../worker/engine';

/** Where events go: shim/events/publisher.ts, or a recorder in tests. */
export interface Publisher {
  publish(topic: string, typeName: string, event: Uint8Array): void;
}

export interface TaskServiceOptions {
  publisher: Publisher;
  namespace: string;
  /** The engine workers run modules on. */
  engine: EngineName;
  /** Called by Shutdown when no container remains: the daemon exits (maybe called again). */
  onShutdown: () => void;
  /** Logs, to the container's own bundle log when `containerId` is given and known. */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, containerId?: string) => void;
  /** A container was created in / removed from the daemon (per-container log FIFOs). */
  onContainer?: (event: 'created' | 'deleted', containerId: string, bundle: string) => void;
  /** The pid we report for processes (worker threads have none): the daemon's. */
  pid?: number;
}

type Empty = pb.EmptyInit;

export class TaskService {
  private readonly containers = new Map<string, Container>();
  private readonly pid: number;

  constructor(private readonly options: TaskServiceOptions) {
    this.pid = options.pid ?? process.pid;
  }

  get containerCount(): number {
    return this.containers.size;
  }

  async Create(req: pb.CreateTaskRequest): Promise<pb.CreateTaskResponseInit> {
    if (this.containers.has(req.id)) throw alreadyExists(`container ${req.id} already exists`);
    if (req.checkpoint !== '')
      throw unimplemented('restoring from a checkpoint is not supported by tswasm');
    const bundle = req.bundle;
    const spec = readBundleConfig(bundle);
    const rootfs = path.resolve(bundle, spec.root?.path ?? 'rootfs');
    let mounted: string | undefined;
    if (req.rootfs.length > 0) {
      fs.mkdirSync(rootfs, { recursive: true });
      mountAll(req.rootfs, rootfs);
      mounted = rootfs;
    }
    this.options.onContainer?.('created', req.id, bundle);
    try {
      const plan = planOrThrow(() => planFromSpec(spec, bundle));
      const stdio: StdioPaths = {
        stdin: req.stdin,
        stdout: req.stdout,
        stderr: req.stderr,
        terminal: req.terminal,
      };
      const makeRunner =
        plan.process === undefined
          ? () => new SandboxRunner()
          : this.wasmRunner(req.id, '', plan.process, plan, stdio);
      const init = new Process(req.id, '', this.pid, stdio, makeRunner, this.processEvents);
      this.containers.set(req.id, new Container(req.id, bundle, plan, init, mounted));
    } catch (err) {
      if (mounted !== undefined) unmountAll(mounted);
      this.options.onContainer?.('deleted', req.id, bundle);
      throw err;
    }
    this.publish('/tasks/create', pb.TaskCreate, {
      containerId: req.id,
      bundle,
      rootfs: req.rootfs,
      io: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal },
      checkpoint: req.checkpoint,
      pid: this.pid,
    });
    this.options.log(
      'info',
      `created ${req.id} (${this.containers.get(req.id)!.plan.containerType})`,
      req.id,
    );
    return { pid: this.pid };
  }

  async Start(req: pb.StartRequest): Promise<pb.StartResponseInit> {
    const container = this.container(req.id);
    const proc = container.process(req.execId);
    await proc.start(() => {
      if (req.execId === '')
        this.publish('/tasks/start', pb.TaskStart, { containerId: req.id, pid: proc.pid });
      else
        this.publish('/tasks/exec-started', pb.TaskExecStarted, {
          containerId: req.id,
          execId: req.execId,
          pid: proc.pid,
        });
    });
    return { pid: proc.pid };
  }

  async Delete(req: pb.DeleteRequest): Promise<pb.DeleteResponseInit> {
    const container = this.container(req.id);
    const proc = container.process(req.execId);
    if (req.execId !== '') {
      const exit = await proc.delete();
      container.execs.delete(req.execId);
      return exitResponse(proc, exit);
    }
    // the init process takes its execs with it
    for (const exec of container.execs.values()) if (exec.live) await exec.kill(9).catch(() => {});
    const exit = await proc.delete();
    this.containers.delete(req.id);
    if (container.mountedRootfs !== undefined) unmountAll(container.mountedRootfs);
    this.publish('/tasks/delete', pb.TaskDelete, {
      containerId: req.id,
      pid: proc.pid,
      exitStatus: exit.status,
      exitedAt: pb.timestampFromDate(exit.at),
      id: req.id,
    });
    this.options.log('info', `deleted ${req.id}`, req.id);
    this.options.onContainer?.('deleted', req.id, container.bundle);
    return exitResponse(proc, exit);
  }

  async State(req: pb.StateRequest): Promise<pb.StateResponseInit> {
    const container = this.container(req.id);
    const proc = container.process(req.execId);
    const exit = proc.exit;
    return {
      id: req.execId || req.id,
      bundle: container.bundle,
      pid: proc.pid,
      status: statusCode[proc.state],
      stdin: proc.stdio.stdin,
      stdout: proc.stdio.stdout,
      stderr: proc.stdio.stderr,
      terminal: proc.stdio.terminal,
      exitStatus: exit?.status ?? 0,
      exitedAt: exit ? pb.timestampFromDate(exit.at) : undefined,
      execId: req.execId,
    };
  }

  async Wait(req: pb.WaitRequest): Promise<pb.WaitResponseInit> {
    const proc = this.container(req.id).process(req.execId);
    const exit = await proc.wait();
    return { exitStatus: exit.status, exitedAt: pb.timestampFromDate(exit.at) };
  }

  async Kill(req: pb.KillRequest): Promise<Empty> {
    const container = this.container(req.id);
    if (req.all && req.execId === '') {
      // every process of the container; already-finished ones are not an error here
      await Promise.all(container.all().map((p) => (p.live ? p.kill(req.signal) : undefined)));
      return {};
    }
    await container.process(req.execId).kill(req.signal);
    return {};
  }

  async Pids(req: pb.PidsRequest): Promise<pb.PidsResponseInit> {
    const container = this.container(req.id);
    // worker threads share the daemon's pid: one entry stands for the live task
    const live = container.all().some((p) => p.live) || container.init.state === 'stopped';
    return { processes: live ? [{ pid: container.init.pid }] : [] };
  }

  async Pause(req: pb.PauseRequest): Promise<Empty> {
    const container = this.container(req.id);
    await container.init.pause();
    for (const exec of container.execs.values()) if (exec.state === 'running') await exec.pause();
    this.publish('/tasks/paused', pb.TaskPaused, { containerId: req.id });
    return {};
  }

  async Resume(req: pb.ResumeRequest): Promise<Empty> {
    const container = this.container(req.id);
    await container.init.resume();
    for (const exec of container.execs.values()) if (exec.state === 'paused') await exec.resume();
    this.publish('/tasks/resumed', pb.TaskResumed, { containerId: req.id });
    return {};
  }

  async Exec(req: pb.ExecProcessRequest): Promise<Empty> {
    const container = this.container(req.id);
    if (container.execs.has(req.execId)) throw alreadyExists(`exec ${req.execId} already exists`);
    if (!container.init.live) throw failedPrecondition(`container ${req.id} is not running`);
    if (req.spec === undefined) throw invalidArgument('exec request has no process spec');
    const spec = parseProcess(Buffer.from(req.spec.value).toString('utf8'));
    const processPlan = planOrThrow(() => planExec(spec, container.plan));
    const stdio: StdioPaths = {
      stdin: req.stdin,
      stdout: req.stdout,
      stderr: req.stderr,
      terminal: req.terminal,
    };
    const makeRunner = this.wasmRunner(req.id, req.execId, processPlan, container.plan, stdio);
    container.addExec(
      new Process(req.id, req.execId, this.pid, stdio, makeRunner, this.processEvents),
    );
    this.publish('/tasks/exec-added', pb.TaskExecAdded, {
      containerId: req.id,
      execId: req.execId,
    });
    return {};
  }

  async ResizePty(req: pb.ResizePtyRequest): Promise<Empty> {
    this.container(req.id);
    throw unimplemented(
      'tswasm runs Wasm modules without a pseudo-terminal: ResizePty is not supported',
    );
  }

  async CloseIO(req: pb.CloseIORequest): Promise<Empty> {
    const proc = this.container(req.id).process(req.execId);
    if (req.stdin) proc.closeStdin();
    return {};
  }

  async Update(req: pb.UpdateTaskRequest): Promise<Empty> {
    const container = this.container(req.id);
    if (req.resources === undefined) return {};
    const limit = memoryLimitOf(req.resources);
    if (limit === null) return {};
    container.plan.memoryLimit = limit;
    for (const proc of container.all()) proc.setMemoryLimit(limit);
    return {};
  }

  async Checkpoint(req: pb.CheckpointTaskRequest): Promise<Empty> {
    this.container(req.id);
    throw unimplemented('tswasm cannot checkpoint a Wasm container');
  }

  async Stats(req: pb.StatsRequest): Promise<pb.StatsResponseInit> {
    const container = this.container(req.id);
    // right after Start a worker may still be booting: wait for its first figures
    await Promise.all(container.all().map((p) => (p.live ? p.measured() : undefined)));
    return { stats: metricsFor(container) };
  }

  async Connect(req: pb.ConnectRequest): Promise<pb.ConnectResponseInit> {
    // any id answers: containerd connects before and after the container exists
    const container = this.containers.get(req.id);
    return { shimPid: process.pid, taskPid: container?.init.pid ?? 0, version: '' };
  }

  async Shutdown(_req: pb.ShutdownRequest): Promise<Empty> {
    // a daemon shared by several containers stays while any remains
    if (this.containers.size > 0) return {};
    this.options.onShutdown();
    return {};
  }

  /**
   * Opens a process's output and makes its runner now (the worker boots and compiles while
   * containerd gets to Start); returns it the way Process takes it.
   */
  private wasmRunner(
    containerId: string,
    execId: string,
    processPlan: ProcessPlan,
    plan: RunPlan,
    stdio: StdioPaths,
  ): () => Runner {
    const output = openOutput(stdio, { containerId, namespace: this.options.namespace });
    const label = execId ? `${containerId}/${execId}` : containerId;
    try {
      const runner = new WasmRunner({
        plan: processPlan,
        preopens: plan.preopens,
        memoryLimit: plan.memoryLimit,
        output,
        stdinPath: stdinPath(stdio.stdin),
        engine: this.options.engine,
        log: (m) => this.options.log('warn', `${label}: ${m}`, containerId),
      });
      return () => runner;
    } catch (err) {
      output.close();
      throw err;
    }
  }

  private container(id: string): Container {
    const found = this.containers.get(id);
    if (found === undefined) throw notFound(`container ${id} not found`);
    return found;
  }

  private readonly processEvents: ProcessEvents = {
    exited: (proc: Process, exit: ExitInfo) => {
      if (exit.oom) this.publish('/tasks/oom', pb.TaskOOM, { containerId: proc.containerId });
      this.publish('/tasks/exit', pb.TaskExit, {
        containerId: proc.containerId,
        id: proc.eventId,
        pid: proc.pid,
        exitStatus: exit.status,
        exitedAt: pb.timestampFromDate(exit.at),
      });
      this.options.log('info', `${proc.eventId} exited with ${exit.status}`, proc.containerId);
      // the init process ending ends the container's other processes
      if (proc.execId === '') {
        const container = this.containers.get(proc.containerId);
        for (const exec of container?.execs.values() ?? [])
          if (exec.live) void exec.kill(9).catch(() => {});
      }
    },
  };

  private publish<T, Init>(topic: string, type: pb.MessageType<T, Init>, event: Init): void {
    this.options.publisher.publish(topic, type.typeName, type.encode(event));
  }
}

function exitResponse(proc: Process, exit: ExitInfo): pb.DeleteResponseInit {
  return { pid: proc.pid, exitStatus: exit.status, exitedAt: pb.timestampFromDate(exit.at) };
}

/** Plan errors are the client's to fix: InvalidArgument with the message naming the file. */
function planOrThrow<T>(plan: () => T): T {
  try {
    return plan();
  } catch (err) {
    if (err instanceof PlanError || (err instanceof Error && err.name === 'ConfigError'))
      throw invalidArgument(err.message);
    throw err;
  }
}

/** linux.resources.memory.limit from an Update's LinuxResources (JSON in an Any); null = absent. */
function memoryLimitOf(resources: pb.Any): number | undefined | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(resources.value).toString('utf8'));
  } catch {
    throw invalidArgument(`update resources (${resources.typeUrl}) are not JSON`);
  }
  const limit = (value as { memory?: { limit?: unknown } } | null)?.memory?.limit;
  if (typeof limit !== 'number') return null;
  return limit > 0 ? limit : undefined;
}
