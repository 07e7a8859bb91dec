// Turns an OCI runtime spec into a run plan: what the worker runs (the Wasm entry, args, env,
// cwd), what it sees (the rootfs preopened as `/`), and the limits and annotations the shim
// acts on (memory limit, CRI container type, sandbox and group ids).
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, OciMount, OciProcess, OciSpec } from './config';

/** Annotations the shim reads. */
export const annotations = {
  containerType: 'io.kubernetes.cri.container-type',
  sandboxId: 'io.kubernetes.cri.sandbox-id',
  /** Containers with the same value share one shim daemon (ours, checked before sandbox-id). */
  group: 'io.containerd.tswasm.v1.group',
} as const;

export type ContainerType = 'sandbox' | 'container';

/** What one process of a container runs. */
export interface ProcessPlan {
  /** argv as the guest sees it; args[0] is the name as written in the spec. */
  args: string[];
  /** Environment, in spec order (later duplicates win). */
  env: Record<string, string>;
  /** Working directory inside the guest, absolute. */
  cwd: string;
  /** Host path of the Wasm module (args[0] resolved in the rootfs). */
  entryPath: string;
}

export interface RunPlan {
  /** Host path of the container's root filesystem. */
  rootfs: string;
  /** Guest path → host path. The rootfs is preopened as `/`. */
  preopens: Record<string, string>;
  /** Memory limit in bytes from linux.resources.memory.limit; undefined when unlimited. */
  memoryLimit: number | undefined;
  annotations: Record<string, string>;
  /** `sandbox` for a CRI pod's pause container; `container` otherwise. */
  containerType: ContainerType;
  sandboxId: string | undefined;
  /** The tswasm group annotation, when set. */
  group: string | undefined;
  /** The init process; undefined for a sandbox, which runs no module. */
  process: ProcessPlan | undefined;
}

/** The spec asks for something tswasm cannot run (not Wasm, missing entry). */
export class PlanError extends Error {
  override name = 'PlanError';
}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const wasmMagic = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

/** The plan for a bundle's init process. `bundle` resolves a relative root.path. */
export function planFromSpec(spec: OciSpec, bundle: string): RunPlan {
  const rootfs = path.resolve(bundle, spec.root?.path ?? 'rootfs');
  const notes = { ...(spec.annotations ?? {}) };
  const containerType: ContainerType =
    notes[annotations.containerType] === 'sandbox' ? 'sandbox' : 'container';
  const limit = spec.linux?.resources?.memory?.limit;
  return {
    rootfs,
    preopens: { '/': rootfs, ...bindPreopens(spec.mounts ?? []) },
    memoryLimit: typeof limit === 'number' && limit > 0 ? limit : undefined,
    annotations: notes,
    containerType,
    sandboxId: notes[annotations.sandboxId],
    group: notes[annotations.group],
    process: containerType === 'sandbox' ? undefined : planProcess(spec.process, rootfs),
  };
}

/**
 * The spec's bind mounts of directories (Kubernetes volumes, host paths) as extra preopens,
 * guest destination → host source, so the module sees them where the spec puts them.
 * Kernel filesystems (proc, sysfs, tmpfs, devpts...) and file binds (/etc/hosts) have no
 * WASI meaning and are left out.
 */
export function bindPreopens(mounts: readonly OciMount[]): Record<string, string> {
  const preopens: Record<string, string> = {};
  for (const m of mounts) {
    const options = m.options ?? [];
    const isBind = m.type === 'bind' || options.includes('bind') || options.includes('rbind');
    if (!isBind || m.source === undefined || !m.destination.startsWith('/')) continue;
    const destination = path.posix.resolve('/', m.destination);
    if (destination === '/') continue;
    try {
      if (!fs.statSync(m.source).isDirectory()) continue;
    } catch {
      continue;
    }
    preopens[destination] = m.source;
  }
  return preopens;
}

/** The plan for one process (init or exec) in a rootfs: resolves and checks the Wasm entry. */
export function planProcess(proc: OciProcess | undefined, rootfs: string): ProcessPlan {
  const args = proc?.args ?? [];
  if (args.length === 0 || args[0] === '')
    throw new PlanError('process.args is empty: nothing to run');
  const env = parseEnv(proc?.env ?? []);
  const cwd = path.posix.resolve('/', proc?.cwd || '/');
  const entryPath = resolveEntry(rootfs, args[0], env.PATH ?? defaultPath, cwd);
  checkWasm(entryPath, args[0]);
  return { args: [...args], env, cwd, entryPath };
}

/** `KEY=value` strings → a map; entries without `=` get an empty value. */
export function parseEnv(list: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq < 0) env[entry] = '';
    else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * Finds args[0] in the rootfs: an absolute path or one with a slash is taken as is (relative to
 * cwd), a bare name is looked up in PATH. Returns the host path; throws PlanError naming the file.
 */
export function resolveEntry(rootfs: string, name: string, searchPath: string, cwd = '/'): string {
  if (name.includes('/')) {
    const guest = path.posix.resolve(cwd, name);
    const host = resolveInRoot(rootfs, guest);
    if (host === undefined || !isFile(host))
      throw new PlanError(`entry ${name} not found in the container's rootfs (${rootfs})`);
    return host;
  }
  for (const dir of searchPath.split(':')) {
    if (dir === '') continue;
    const host = resolveInRoot(rootfs, path.posix.resolve(cwd, dir, name));
    if (host !== undefined && isFile(host)) return host;
  }
  throw new PlanError(
    `entry ${name} not found in PATH (${searchPath}) of the container's rootfs (${rootfs})`,
  );
}

function checkWasm(hostPath: string, name: string): void {
  const head = Buffer.alloc(4);
  let n = 0;
  try {
    const fd = fs.openSync(hostPath, 'r');
    try {
      n = fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new PlanError(`cannot read entry ${name} (${hostPath}): ${(err as Error).message}`);
  }
  if (n < 4 || !head.equals(wasmMagic))
    throw new PlanError(
      `entry ${name} (${hostPath}) is not a WebAssembly module (it does not start with \\0asm); ` +
        'the tswasm runtime runs only Wasm containers',
    );
}

function isFile(hostPath: string): boolean {
  try {
    return fs.statSync(hostPath).isFile();
  } catch {
    return false;
  }
}

/**
 * Maps a guest path to a host path under `rootfs`, following symlinks as the guest would see
 * them (absolute targets start again at the rootfs), so that no link escapes the rootfs.
 * Returns undefined when a component is missing or links loop.
 */
export function resolveInRoot(rootfs: string, guestPath: string): string | undefined {
  const pending = guestPath.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = path.join(rootfs, ...done, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(host);
    } catch {
      return undefined;
    }
    if (stat.isSymbolicLink()) {
      if (++links > 40) return undefined;
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
      continue;
    }
    done.push(part);
  }
  return path.join(rootfs, ...done);
}

/** Plan for an exec'd process: the same rootfs, another Wasm program. */
export function planExec(proc: OciProcess, plan: RunPlan): ProcessPlan {
  if (proc.args === undefined || proc.args.length === 0)
    throw new ConfigError('exec process spec has no args');
  return planProcess(proc, plan.rootfs);
}
