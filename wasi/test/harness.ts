// Test harness for WASI: runs a fixture module in-process on each available engine (V8's
// built-in WebAssembly always; tswasm's engine once dist/runtime is built) with stdout and
// stderr captured through temporary files, so tests can compare bytes and exit codes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WASI, WASIOptions } from '../index';

export const repo = path.resolve(__dirname, '../../..');
export const fixturesDir = path.join(repo, 'build', 'fixtures');
export const cli = path.join(repo, 'bin', 'tswasm-shim');

export interface EngineApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export interface Engine {
  name: 'v8' | 'tswasm';
  api: EngineApi;
}

/** The engines to run every program on: V8 and, when built, tswasm (differential testing). */
export function engines(): Engine[] {
  const list: Engine[] = [
    { name: 'v8', api: (globalThis as unknown as { WebAssembly: EngineApi }).WebAssembly },
  ];
  const runtime = path.join(repo, 'dist', 'runtime', 'index.js');
  if (fs.existsSync(runtime)) {
    try {
      const api = (require(runtime) as { WebAssembly?: EngineApi }).WebAssembly;
      if (api) list.push({ name: 'tswasm', api });
    } catch {
      // not loadable yet: V8 only
    }
  }
  return list;
}

export function fixture(name: string): string {
  return path.join(fixturesDir, `${name}.wasm`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tswasm-${prefix}-`));
}

/** Names of the WASI functions the programs run so far have called (coverage check). */
export const calledFunctions = new Set<string>();

export interface RunOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunWith extends Omit<WASIOptions, 'stdin' | 'stdout' | 'stderr'> {
  /** stdin content (given as a regular file), or a host fd. */
  stdin?: string | number;
}

/** Runs fixture `name` to completion on `engine`; traps propagate. */
export function runFixture(engine: Engine, name: string, options: RunWith = {}): RunOutput {
  return runFile(engine, fixture(name), { ...options, args: options.args ?? [name] });
}

/** Runs the module in `file` to completion on `engine`; traps propagate. */
export function runFile(engine: Engine, file: string, options: RunWith = {}): RunOutput {
  const dir = tempDir('io');
  const outPath = path.join(dir, 'stdout');
  const errPath = path.join(dir, 'stderr');
  const stdout = fs.openSync(outPath, 'w+');
  const stderr = fs.openSync(errPath, 'w+');
  let stdin = typeof options.stdin === 'number' ? options.stdin : -1;
  const ownStdin = typeof options.stdin === 'string';
  if (ownStdin) {
    fs.writeFileSync(path.join(dir, 'stdin'), options.stdin as string);
    stdin = fs.openSync(path.join(dir, 'stdin'), 'r');
  } else if (stdin < 0) {
    stdin = fs.openSync('/dev/null', 'r');
  }
  const wasi = new WASI({
    ...options,
    args: options.args ?? [path.basename(file)],
    stdin,
    stdout,
    stderr,
  });
  try {
    const module = new engine.api.Module(fs.readFileSync(file));
    const traced: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(wasi.wasiImport)) {
      traced[name] = (...args: (number | bigint)[]) => {
        calledFunctions.add(name);
        return fn(...args);
      };
    }
    const instance = new engine.api.Instance(module, { wasi_snapshot_preview1: traced });
    const exitCode = wasi.start(instance);
    return {
      exitCode,
      stdout: fs.readFileSync(outPath, 'utf8'),
      stderr: fs.readFileSync(errPath, 'utf8'),
    };
  } finally {
    wasi.close();
    fs.closeSync(stdout);
    fs.closeSync(stderr);
    if (typeof options.stdin !== 'number') fs.closeSync(stdin);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
