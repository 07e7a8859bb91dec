// Loading and running one WASI module: read the file, compile it on the chosen engine,
// instantiate it with tswasm's WASI, and run `_start` (or call one export). Used by
// `tswasm-shim run` and meant for any host that runs a module the same way.
import * as fs from 'fs';
import { WASI, ListenSpec, errnoName, exitCodeOf } from '../../wasi';
import { GuestTrap } from '../../wasi/errors';

/** The part of the JS WebAssembly API a run needs (V8's built-in or tswasm's runtime). */
export interface EngineApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => {
    exports: Record<string, unknown>;
  };
  CompileError: new (...args: never[]) => Error;
  LinkError: new (...args: never[]) => Error;
  RuntimeError: new (...args: never[]) => Error;
}

export type EngineName = 'tswasm' | 'v8';

/** V8's own WebAssembly (the tsconfig has no DOM lib, hence the cast). */
const v8Api = (globalThis as unknown as { WebAssembly: EngineApi }).WebAssembly;

/**
 * tswasm's engine. Required here, not at the top, so that `--help` and `--engine v8` never load
 * it; the bundler still inlines it into the CLI's single file (no module resolution at start-up).
 */
function loadTswasm(): EngineApi | undefined {
  try {
    return (require('../../runtime') as { WebAssembly?: EngineApi }).WebAssembly;
  } catch {
    return undefined;
  }
}

/** The engine by name; the default is tswasm's when it is built, else V8's. */
export function loadEngine(name: EngineName | undefined): { name: EngineName; api: EngineApi } {
  if (name === 'v8') return { name, api: v8Api };
  const tswasm = loadTswasm();
  if (tswasm) return { name: 'tswasm', api: tswasm };
  if (name === 'tswasm')
    throw new RunError('usage', "engine 'tswasm' is not built (runtime/index.ts)");
  return { name: 'v8', api: v8Api };
}

/** tswasm's per-thread extra a memory limit needs (runtime/index.ts). */
interface TswasmLimits {
  setMemoryLimit(bytes: number | undefined, onExceeded?: () => void): void;
}

/**
 * Why a run failed before or instead of an exit code; `kind` decides the CLI's exit status:
 * `exit-status` is proc_exit(n) with n >= 126 (which WASI reserves), `oom` the memory limit.
 */
export class RunError extends Error {
  constructor(
    readonly kind: 'usage' | 'load' | 'compile' | 'link' | 'trap' | 'exit-status' | 'oom',
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export interface RunOptions {
  file: string;
  /** Guest argv after argv[0]. */
  args: string[];
  /** The guest's argv[0]: `file` as given when omitted (like wasmtime); a container's args[0]. */
  argv0?: string;
  /**
   * Linear memory limit in bytes, enforced as the shim does: growing past it stops the module
   * (tswasm: at once, from its memory.grow; V8: at its next WASI call).
   */
  memoryLimit?: number;
  env: Record<string, string>;
  preopens: Record<string, string>;
  sockets?: ListenSpec[];
  engine?: EngineName;
  /** Call this export instead of `_start`; its results are returned. */
  invoke?: string;
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Print every WASI call and its errno to this host fd (debugging). */
  traceFd?: number;
}

export interface RunResult {
  exitCode: number;
  engine: EngineName;
  /** Results of the invoked export (--invoke), one per Wasm result. */
  results?: unknown[];
}

/** Parses --invoke arguments: numbers, retried as BigInt where the export takes i64. */
function callExport(fn: (...args: unknown[]) => unknown, args: string[]): unknown {
  const numbers = args.map(Number);
  try {
    return fn(...numbers);
  } catch (error) {
    // i64 parameters want BigInt; the conversion fails before the call runs.
    if (error instanceof TypeError && /BigInt/.test(error.message)) {
      return fn(...args.map((a) => (/^-?\d+$/.test(a) ? BigInt(a) : Number(a))));
    }
    throw error;
  }
}

/** A WASI trace printer: `name(arg, ...) = ERRNO` per call, `name(...) unwinds` for exits. */
function traceTo(fd: number): NonNullable<ConstructorParameters<typeof WASI>[0]>['trace'] {
  return (name, args, errno) => {
    const result = errno === undefined ? 'unwinds' : `= ${errnoName(errno)}`;
    fs.writeSync(fd, `wasi: ${name}(${args.join(', ')}) ${result}\n`);
  };
}

/** True for the trap our WASI raises on proc_exit(n >= 126), which wasmtime reports as an error. */
function isReservedExit(error: unknown): boolean {
  return error instanceof GuestTrap && /invalid exit status/.test(error.message);
}

/** Thrown when memory grows past the limit: from tswasm's grow hook, or V8's next WASI call. */
class MemoryLimitExceeded extends Error {}

/**
 * Sets up the memory limit on the chosen engine and returns the import object to use plus a
 * test for "this exception is the limit stopping the module".
 */
function limitMemory(
  engineName: EngineName,
  limit: number | undefined,
  wasiImports: Record<string, Record<string, unknown>>,
  memory: () => { buffer: ArrayBuffer } | undefined,
): {
  imports: Record<string, Record<string, unknown>>;
  stopped(error: unknown): boolean;
  reset(): void;
} {
  const none = { imports: wasiImports, stopped: () => false, reset: () => {} };
  if (limit === undefined) return none;
  if (engineName === 'tswasm') {
    // the engine calls this inside memory.grow: throwing unwinds the module right there (no
    // interrupt flag, so the generated code carries no interrupt polls)
    const tswasm = require('../../runtime') as TswasmLimits;
    tswasm.setMemoryLimit(limit, () => {
      throw new MemoryLimitExceeded();
    });
    return {
      imports: wasiImports,
      stopped: (error) => error instanceof MemoryLimitExceeded,
      reset: () => tswasm.setMemoryLimit(undefined),
    };
  }
  const checked: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(wasiImports.wasi_snapshot_preview1)) {
    checked[name] = (...args: unknown[]) => {
      if ((memory()?.buffer.byteLength ?? 0) > limit) throw new MemoryLimitExceeded();
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return {
    imports: { ...wasiImports, wasi_snapshot_preview1: checked },
    stopped: (error) => error instanceof MemoryLimitExceeded,
    reset: () => {},
  };
}

export function runModule(options: RunOptions): RunResult {
  const engine = loadEngine(options.engine);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(options.file);
  } catch (error) {
    throw new RunError('load', `cannot read ${options.file}: ${(error as Error).message}`, error);
  }
  let module: object;
  try {
    module = new engine.api.Module(bytes);
  } catch (error) {
    throw new RunError(
      'compile',
      `failed to compile ${options.file}: ${(error as Error).message}`,
      error,
    );
  }
  let wasi: WASI;
  try {
    wasi = new WASI({
      args: [options.argv0 ?? options.file, ...(options.invoke ? [] : options.args)],
      env: options.env,
      preopens: options.preopens,
      sockets: options.sockets,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      trace: options.traceFd === undefined ? undefined : traceTo(options.traceFd),
    });
  } catch (error) {
    throw new RunError('load', (error as Error).message, error);
  }
  let instance: { exports: Record<string, unknown> } | undefined;
  const limit = limitMemory(
    engine.name,
    options.memoryLimit,
    wasi.getImportObject() as Record<string, Record<string, unknown>>,
    () => instance?.exports.memory as { buffer: ArrayBuffer } | undefined,
  );
  /** A trap or an exit code from how the module ended. */
  const ended = (error: unknown): RunResult => {
    if (error instanceof RunError) throw error;
    if (limit.stopped(error))
      throw new RunError('oom', `memory limit of ${options.memoryLimit} bytes exceeded`, error);
    const exit = exitCodeOf(error);
    if (exit !== undefined) return { exitCode: exit, engine: engine.name };
    if (isReservedExit(error)) throw new RunError('exit-status', (error as Error).message, error);
    throw new RunError('trap', (error as Error).message, error);
  };
  try {
    try {
      instance = new engine.api.Instance(module, limit.imports);
    } catch (error) {
      // proc_exit, a trap or the limit in a start function
      if (
        exitCodeOf(error) !== undefined ||
        isReservedExit(error) ||
        limit.stopped(error) ||
        error instanceof engine.api.RuntimeError
      )
        return ended(error);
      throw new RunError(
        'link',
        `failed to instantiate ${options.file}: ${(error as Error).message}`,
        error,
      );
    }
    try {
      if (options.invoke === undefined) {
        if (typeof instance.exports._start !== 'function') {
          throw new RunError(
            'link',
            `${options.file} exports no _start function (try --invoke NAME)`,
          );
        }
        return { exitCode: wasi.start(instance), engine: engine.name };
      }
      const fn = instance.exports[options.invoke];
      if (typeof fn !== 'function') {
        throw new RunError(
          'usage',
          `failed to find export function \`${options.invoke}\` in ${options.file}`,
        );
      }
      if (typeof instance.exports._initialize === 'function') wasi.initialize(instance);
      else wasi.attach(instance);
      const result = callExport(fn as (...args: unknown[]) => unknown, options.args);
      const results = result === undefined ? [] : Array.isArray(result) ? result : [result];
      return { exitCode: 0, engine: engine.name, results };
    } catch (error) {
      return ended(error);
    }
  } finally {
    limit.reset();
    wasi.close();
  }
}
