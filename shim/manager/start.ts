// `containerd-shim-tswasm-v1 start`: find the daemon of this container's group, or start one,
// and print its address. containerd reads stdout and stderr together, so only the address
// is printed; the daemon is detached from containerd's pipes.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { socketAnswers } from '../ttrpc/socket';
import { groupingFromEnv, groupOf, socketPathFor, defaultSocketDir } from './group';
import { listenTimeoutMs } from './serve';
import { claimSpare, sparesWanted } from './spare';

export interface StartOptions {
  namespace: string;
  address: string;
  id: string;
  debug: boolean;
  /** The bundle: start's working directory. */
  bundle: string;
  env: NodeJS.ProcessEnv;
  /** The node that runs the daemon. */
  self: { execPath: string };
}

/** Reads stdin to its end and ignores it (runtime options; never fail on them). */
export async function drainStdin(): Promise<void> {
  if (process.stdin.isTTY) return;
  await new Promise<void>((resolve) => {
    process.stdin.on('data', () => {});
    process.stdin.once('end', resolve);
    process.stdin.once('error', () => resolve());
    process.stdin.once('close', resolve);
  });
}

export type Protocol = 'ttrpc' | 'grpc';

/**
 * The protocol to serve: ttrpc, which every containerd speaks to shims, unless
 * TSWASM_SHIM_PROTOCOL=grpc and containerd can take a gRPC shim (1.7+ sets MAX_SHIM_VERSION).
 */
export function protocolFor(env: NodeJS.ProcessEnv): Protocol {
  return env.TSWASM_SHIM_PROTOCOL === 'grpc' && Number(env.MAX_SHIM_VERSION ?? 0) >= 2
    ? 'grpc'
    : 'ttrpc';
}

/**
 * What `start` prints: `unix://<socket>` for ttrpc (a bare path would be dialled as an
 * abstract socket by 1.6); for gRPC the bootstrap JSON, version 3 for containerd 2.x and 2
 * for 1.7, which takes nothing newer.
 */
export function startOutput(socket: string, protocol: Protocol, env: NodeJS.ProcessEnv): string {
  if (protocol === 'ttrpc') return `unix://${socket}`;
  const version = Number(env.MAX_SHIM_VERSION ?? 0) >= 3 ? 3 : 2;
  return JSON.stringify({ version, address: socket, protocol: 'grpc' });
}

/** Returns what to print (see startOutput), once the group's daemon listens. */
export async function start(options: StartOptions): Promise<string> {
  const notes = readAnnotations(options.bundle);
  const group = groupOf(options.id, notes, groupingFromEnv(options.env));
  const socket = socketPathFor(
    options.address,
    options.namespace,
    group,
    options.env.TSWASM_SOCKET_DIR || defaultSocketDir,
  );
  const protocol = protocolFor(options.env);
  if (!(await socketAnswers(socket))) {
    const claimed =
      protocol === 'ttrpc' &&
      sparesWanted(options.env) &&
      !fs.existsSync(socket) &&
      claimSpare(options.address, options.namespace, socket, options.env);
    if (!claimed) await spawnDaemon(options, socket, protocol);
  }
  fs.writeFileSync(path.join(options.bundle, 'address'), `unix://${socket}`);
  return startOutput(socket, protocol, options.env);
}

function readAnnotations(bundle: string): Record<string, string> | undefined {
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as {
      annotations?: Record<string, string>;
    };
    return spec.annotations;
  } catch {
    return undefined;
  }
}

/** The daemon's command line after node's own flags: the action is `serve`. */
export function daemonArgs(
  options: Pick<StartOptions, 'namespace' | 'address' | 'id' | 'debug'>,
  socket: string,
  protocol: Protocol,
): string[] {
  return [
    '-namespace',
    options.namespace,
    '-address',
    options.address,
    '-id',
    options.id,
    '-socket',
    socket,
    '-protocol',
    protocol,
    '-ready-fd',
    String(readyFd),
    ...(options.debug ? ['-debug'] : []),
    'serve',
  ];
}

/**
 * Spawns the daemon detached from containerd's pipes and waits until it listens: containerd
 * 1.6 dials the printed address once, at once (no retry while the path is missing).
 */
async function spawnDaemon(
  options: StartOptions,
  socket: string,
  protocol: Protocol,
): Promise<void> {
  // fd 3 is a pipe of ours (never containerd's): the daemon closes it once it listens, so we
  // wake at that moment instead of polling the socket
  const child = spawn(
    options.self.execPath,
    [...daemonNodeFlags, ...daemonEntry(), ...daemonArgs(options, socket, protocol)],
    {
      cwd: options.bundle,
      env: daemonEnv(options.env),
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  const ready = child.stdio[3] as Readable | null;
  let exited: string | undefined;
  const settled = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `daemon exited (${signal ?? code}) before listening`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `cannot start the daemon: ${err.message}`;
      resolve();
    });
    ready?.on('data', () => {});
    ready?.once('close', resolve);
    ready?.once('error', () => resolve());
  });
  child.unref();
  const deadline = Date.now() + listenTimeoutMs;
  const timer = new Promise<void>((resolve) => setTimeout(resolve, listenTimeoutMs).unref());
  await Promise.race([settled, timer]);
  ready?.destroy();
  // the pipe closes when the daemon listens, or when it ends (e.g. it lost the race to listen
  // and the winner answers on the same socket); the socket itself says which
  while (Date.now() < deadline) {
    if (await socketAnswers(socket, 200)) return;
    // gone, and nobody answers for it (a dead daemon's socket file may stay: it says nothing)
    if (exited !== undefined) throw new Error(exited);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the daemon did not listen on ${socket} within ${listenTimeoutMs / 1000} s`);
}

/**
 * The daemon's environment: containerd's, less NODE_EXTRA_CA_CERTS. The daemon makes no TLS
 * connections, and Node 20 reads and parses those certificates at every start (~45 ms here).
 */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return rest;
}

/** fd 3 of the daemon when `start` spawned it: a pipe closed once the daemon listens. */
export const readyFd = 3;

/**
 * Node flags of the daemon: `gc` exposed (V8 flags are process-wide, so in workers too) so a
 * worker can drop the engine's compile-time garbage before its module settles into a long wait.
 */
export const daemonNodeFlags = ['--expose-gc'];

/** The daemon's bundle, beside the start/delete bundle in dist/bin. */
export const daemonBundle = 'containerd-shim-tswasm-v1-daemon.js';

/**
 * The script (and its arguments) that runs the daemon. From dist/bin: cached-boot.js over the
 * daemon bundle (a V8 code cache cuts its compile); from tsc's output: daemon-main.js.
 */
export function daemonEntry(): string[] {
  if (path.basename(__dirname) !== 'bin') return [path.join(__dirname, 'daemon-main.js')];
  const loader = path.join(__dirname, 'cached-boot.js');
  const daemon = path.join(__dirname, daemonBundle);
  return fs.existsSync(loader) ? [loader, daemon] : [daemon];
}
