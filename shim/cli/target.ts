// What `tswasm-shim run` and `inspect` were given: a Wasm module, an OCI bundle (config.json +
// rootfs) or an OCI image (layout directory or tar, optionally `IMAGE@REF`), recognised by
// content, and turned into one thing to run. Bundles go through oci/plan exactly as the shim's
// Create does; images are unpacked into a temporary rootfs by oci/image-prepare and their
// process (entrypoint, cmd, env, working dir) planned by the same oci/plan code.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, readBundleConfig } from '../../oci/config';
import { PlanError, planFromSpec, planProcess } from '../../oci/plan';
// image code (tar-stream, zlib) is required in openImage only: modules and bundles never load it
import type { Platform } from '../../oci/image-layout';

export type TargetKind = 'module' | 'bundle' | 'image';

/** One thing to run, whatever it came from. */
export interface RunTarget {
  kind: TargetKind;
  /** What the user named (the path, with @REF for an image). */
  source: string;
  /** Host path of the Wasm module to run. */
  entryPath: string;
  /** The guest's argv, argv[0] included. */
  argv: string[];
  env: Record<string, string>;
  /** Guest path → host path. */
  preopens: Record<string, string>;
  /** Working directory inside the guest (bundles and images). */
  cwd: string | undefined;
  /** Bytes; from config.json's linux.resources.memory.limit for a bundle. */
  memoryLimit: number | undefined;
  /** Images only: what was picked out of the layout. */
  image?: { name: string | undefined; platform: string; manifestDigest: string; rootfs: string };
  /** Removes what opening made (an image's temporary rootfs). Safe to call twice. */
  cleanup(): void;
}

export interface TargetOptions {
  /** Arguments after FILE: module argv[1..]; appended to a bundle's args; an image's cmd. */
  args: string[];
  /** `os/arch[/variant]` wanted from an image (Wasm platforms when omitted). */
  platform?: string;
}

/** An input that is not something tswasm can run; the message says what is wrong with it. */
export class TargetError extends Error {
  override name = 'TargetError';
}

const wasmMagic = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

/** The first bytes of a file (fewer when it is shorter). */
function head(file: string, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** True for a POSIX tar (ustar magic at 257), a gzip stream, or a name that says tar. */
function looksLikeTar(file: string, bytes: Buffer): boolean {
  if (bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  return /\.(tar|tar\.gz|tgz)$/i.test(file);
}

/**
 * Splits `IMAGE.tar@REF` (or `LAYOUT-DIR@REF`) when the whole name does not exist but the part
 * before the last `@` does.
 */
export function splitReference(source: string): { file: string; ref: string | undefined } {
  if (fs.existsSync(source)) return { file: source, ref: undefined };
  const at = source.lastIndexOf('@');
  if (at > 0 && fs.existsSync(source.slice(0, at)))
    return { file: source.slice(0, at), ref: source.slice(at + 1) || undefined };
  return { file: source, ref: undefined };
}

/** Which of the three `source` is, by content. */
export function detectKind(source: string): { kind: TargetKind; file: string; ref?: string } {
  const { file, ref } = splitReference(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new TargetError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) {
    const has = (name: string): boolean => fs.existsSync(path.join(file, name));
    if (has('index.json') || has('oci-layout')) return { kind: 'image', file, ref };
    if (ref !== undefined) throw new TargetError(`${file}: @${ref} only applies to images`);
    if (has('config.json')) return { kind: 'bundle', file };
    throw new TargetError(
      `${file} is a directory but neither an OCI bundle (no config.json) nor an OCI image ` +
        'layout (no index.json or oci-layout)',
    );
  }
  let bytes: Buffer;
  try {
    bytes = head(file, 512);
  } catch (error) {
    throw new TargetError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (bytes.subarray(0, 4).equals(wasmMagic) && ref === undefined) return { kind: 'module', file };
  if (looksLikeTar(file, bytes) || ref !== undefined) return { kind: 'image', file, ref };
  // anything else is taken as a module, so the engine says why it is not one
  return { kind: 'module', file };
}

/** Opens `source` for running with `options`. Throws TargetError for input that cannot run. */
export async function openTarget(source: string, options: TargetOptions): Promise<RunTarget> {
  const found = detectKind(source);
  if (found.kind !== 'image' && options.platform !== undefined)
    throw new TargetError(`--platform applies to images only; ${found.file} is a ${found.kind}`);
  switch (found.kind) {
    case 'module':
      return {
        kind: 'module',
        source,
        entryPath: found.file,
        argv: [found.file, ...options.args],
        env: {},
        preopens: {},
        cwd: undefined,
        memoryLimit: undefined,
        cleanup: () => {},
      };
    case 'bundle':
      return openBundle(found.file, options);
    case 'image':
      return openImage(source, found.file, found.ref, options);
  }
}

/** What a target runs with once the command line is applied (see withCommandLine). */
export interface RunSettings {
  env: Record<string, string>;
  preopens: Record<string, string>;
  memoryLimit: number | undefined;
}

/**
 * The command line's `--env`, `--dir` and `--memory-limit` over what a bundle or image sets:
 * they add to (and override) its env and preopens, and the limit replaces its own.
 */
export function withCommandLine(
  target: RunTarget,
  options: { env: Record<string, string>; preopens: Record<string, string>; memoryLimit?: number },
): RunSettings {
  return {
    env: { ...target.env, ...options.env },
    preopens: { ...target.preopens, ...options.preopens },
    memoryLimit: options.memoryLimit ?? target.memoryLimit,
  };
}

/**
 * openTarget for a command: input that cannot run is reported on stderr as `Error: ...` and
 * gives undefined (the command then exits 1, as wasmtime does for a file it cannot load).
 */
export async function openTargetOrReport(
  source: string,
  options: TargetOptions,
): Promise<RunTarget | undefined> {
  try {
    return await openTarget(source, options);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    fs.writeSync(2, `Error: ${error.message}\n`);
    return undefined;
  }
}

/** A bundle, planned as the shim's Create plans it. */
function openBundle(bundle: string, options: TargetOptions): RunTarget {
  try {
    const plan = planFromSpec(readBundleConfig(bundle), bundle);
    if (plan.process === undefined)
      throw new TargetError(
        `${bundle} is a CRI sandbox (pause) container: it runs no module ` +
          '(io.kubernetes.cri.container-type=sandbox)',
      );
    return {
      kind: 'bundle',
      source: bundle,
      entryPath: plan.process.entryPath,
      argv: [...plan.process.args, ...options.args],
      env: plan.process.env,
      preopens: plan.preopens,
      cwd: plan.process.cwd,
      memoryLimit: plan.memoryLimit,
      cleanup: () => {},
    };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PlanError)
      throw new TargetError(`bundle ${bundle}: ${error.message}`);
    throw error;
  }
}

const tempPrefix = 'tswasm-image-';

/**
 * Removes image rootfs directories left by runs that were killed (a signal ends a synchronous
 * module run before its cleanup): each holds the pid of its run next to the rootfs.
 */
function sweepStaleRootfs(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(tempPrefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(os.tmpdir(), name);
    try {
      const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
      if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, not readable, or another run is removing it: leave it
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * An image: unpacked into a temporary rootfs, its process planned as a bundle's would be.
 * ARGS replace the image's Cmd and follow its Entrypoint, as `docker run IMAGE ARGS` does; an
 * image whose only content is a Wasm layer has that module as its entrypoint.
 */
async function openImage(
  source: string,
  file: string,
  ref: string | undefined,
  options: TargetOptions,
): Promise<RunTarget> {
  const { ImageError, parsePlatform, formatPlatform } =
    require('../../oci/image-reader') as typeof import('../../oci/image-reader');
  let platforms: Platform[] | undefined;
  try {
    platforms = options.platform === undefined ? undefined : [parsePlatform(options.platform)];
  } catch (error) {
    throw new TargetError((error as Error).message);
  }
  sweepStaleRootfs();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  fs.writeFileSync(path.join(base, 'pid'), String(process.pid));
  const rootfs = path.join(base, 'rootfs');
  fs.mkdirSync(rootfs);
  const cleanup = (): void => fs.rmSync(base, { recursive: true, force: true });
  try {
    const { prepareImage } =
      require('../../oci/image-prepare') as typeof import('../../oci/image-prepare');
    const prepared = await prepareImage(file, rootfs, { name: ref, platforms });
    const run = prepared.image.config.config ?? {};
    let entrypoint = run.Entrypoint ?? [];
    let cmd = run.Cmd ?? [];
    if (entrypoint.length === 0 && cmd.length === 0 && prepared.wasmModules.length > 0)
      entrypoint = [prepared.wasmModules[0].path];
    if (options.args.length > 0) cmd = options.args;
    const args = [...entrypoint, ...cmd];
    if (args.length === 0)
      throw new TargetError(
        `image ${source} names nothing to run (no Entrypoint or Cmd in its config, no Wasm ` +
          'layer); give the command after the image',
      );
    const planned = planProcess({ args, env: prepared.env, cwd: prepared.cwd }, rootfs);
    return {
      kind: 'image',
      source,
      entryPath: planned.entryPath,
      argv: planned.args,
      env: planned.env,
      preopens: { '/': rootfs },
      cwd: planned.cwd,
      memoryLimit: undefined,
      image: {
        name: prepared.image.name,
        platform: formatPlatform(prepared.image.platform),
        manifestDigest: prepared.image.manifestDigest,
        rootfs,
      },
      cleanup,
    };
  } catch (error) {
    cleanup();
    if (error instanceof TargetError) throw error;
    // the temporary rootfs is gone by the time the user reads the message
    if (error instanceof ImageError || error instanceof PlanError)
      throw new TargetError(
        `image ${source}: ${error.message.split(rootfs).join('<image rootfs>')}`,
      );
    // tar-stream and zlib report a damaged archive with their own errors
    const message = (error as Error).message;
    if (/tar|header|gzip|unexpected end|incorrect header|invalid/i.test(message))
      throw new TargetError(`image ${source}: not a readable OCI image archive (${message})`);
    throw error;
  }
}
