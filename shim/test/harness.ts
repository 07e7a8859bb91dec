// Test helpers: bundles with a Wasm fixture in their rootfs, and a Task service served over a
// real ttrpc socket with a typed client and an event recorder.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pb from '../../proto';
import { registerTaskService } from '../task/register';
import { TaskService } from '../task/service';
import { TtrpcClient, TtrpcServer } from '../ttrpc';
import { EngineName, engineName } from '../worker/engine';

export const repo = path.resolve(__dirname, '../../..');
export const fixture = (name: string) => path.join(repo, 'build/fixtures', `${name}.wasm`);

export interface BundleOptions {
  args: string[];
  env?: string[];
  annotations?: Record<string, string>;
  memoryLimit?: number;
  /** Files to put in the rootfs (path → content or fixture file to copy). */
  files?: Record<string, string | { fixture: string }>;
}

export function makeBundle(root: string, name: string, options: BundleOptions): string {
  const bundle = path.join(root, name);
  fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
  for (const [file, content] of Object.entries(options.files ?? {})) {
    const host = path.join(bundle, 'rootfs', file);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(host, content);
    else fs.copyFileSync(fixture(content.fixture), host);
  }
  const config = {
    ociVersion: '1.0.2',
    process: { args: options.args, env: options.env ?? ['PATH=/bin'], cwd: '/' },
    root: { path: 'rootfs' },
    annotations: options.annotations ?? {},
    linux: options.memoryLimit ? { resources: { memory: { limit: options.memoryLimit } } } : {},
  };
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
  return bundle;
}

export interface RecordedEvent {
  topic: string;
  typeName: string;
  event: Uint8Array;
}

type Methods = typeof pb.TaskService.methods;
type MethodName = keyof Methods;
type RequestInit<M extends MethodName> = Parameters<Methods[M]['request']['encode']>[0];
type Response<M extends MethodName> = ReturnType<Methods[M]['response']['decode']>;

export class ServedTaskService {
  readonly events: RecordedEvent[] = [];
  shutdownCalls = 0;
  readonly service: TaskService;
  private readonly server = new TtrpcServer();
  private client!: TtrpcClient;
  private eventWaiters: Array<() => void> = [];

  constructor(
    readonly socket: string,
    engine: EngineName = engineName(),
  ) {
    this.service = new TaskService({
      publisher: {
        publish: (topic, typeName, event) => {
          this.events.push({ topic, typeName, event });
          for (const wake of this.eventWaiters.splice(0)) wake();
        },
      },
      namespace: 'test',
      engine,
      onShutdown: () => this.shutdownCalls++,
      log: (level, message) => {
        if (level === 'warn' || level === 'error')
          process.stderr.write(`[shim ${level}] ${message}\n`);
      },
    });
    registerTaskService(this.server, this.service);
  }

  async start(): Promise<void> {
    await this.server.listen(this.socket);
    this.client = await TtrpcClient.connect(this.socket);
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.server.close();
  }

  async call<M extends MethodName>(
    method: M,
    request: RequestInit<M>,
    service = 'containerd.task.v2.Task',
  ): Promise<Response<M>> {
    const m = pb.TaskService.methods[method];
    const bytes = await this.client.call(
      service,
      method,
      (m.request.encode as (r: unknown) => Uint8Array)(request),
    );
    return m.response.decode(bytes) as Response<M>;
  }

  topics(): string[] {
    return this.events.map((e) => e.topic);
  }

  /** Resolves once an event with `topic` has been published. */
  async waitForEvent(topic: string, timeoutMs = 10_000): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.topic === topic);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${topic} event within ${timeoutMs} ms (got ${this.topics()})`);
      await new Promise<void>((resolve) => {
        this.eventWaiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
