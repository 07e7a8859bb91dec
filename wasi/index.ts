// tswasm's WASI preview1 host, shaped like Node's `node:wasi`: `new WASI(options)`,
// `wasiImport` / `getImportObject()`, `start(instance)` → exit code, `initialize(instance)`.
// Engine-agnostic: it needs only the instance's exported memory, so it runs over tswasm's
// engine and over V8's built-in WebAssembly alike.
import { WasiContext } from './context';
import { WasiFunction } from './declare';
import { ProcExit, errnoOf } from './errors';
import { MemoryLike } from './memory';
import { ListenSpec } from './socket-bridge';
import { functionSignatures } from './spec';
import { argsFunctions } from './functions/args';
import { clockFunctions } from './functions/clock';
import { fdFunctions } from './functions/fd';
import { pathFunctions } from './functions/path';
import { pollFunctions } from './functions/poll';
import { procFunctions } from './functions/proc';
import { sockFunctions } from './functions/sock';

export { Errno, errnoName } from './spec';
export type { ListenSpec } from './socket-bridge';

export interface WASIOptions {
  /** argv as the guest sees it (argv[0] included). */
  args?: string[];
  env?: Record<string, string>;
  /** Guest path → host directory. Installed as fds 3, 4, ... (after any sockets). */
  preopens?: Record<string, string>;
  /** Host fds for the guest's fds 0, 1, 2 (default 0, 1, 2). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Listening sockets (host fds, or addresses to listen on), installed as fds 3, 4, ... */
  sockets?: ListenSpec[];
  /** Called after every WASI call with its name, arguments and errno (for debugging). */
  trace?: (name: string, args: readonly (number | bigint)[], errno: number | undefined) => void;
}

/** Every wasi_snapshot_preview1 function, declared as data. */
export const wasiFunctions: readonly WasiFunction[] = [
  ...argsFunctions,
  ...clockFunctions,
  ...fdFunctions,
  ...pathFunctions,
  ...pollFunctions,
  ...procFunctions,
  ...sockFunctions,
];

/** A host function as an engine imports it (i32 as number, i64 as BigInt). */
export type HostFunction = (...args: (number | bigint)[]) => number | undefined;

/** The instance shape start/initialize need (the JS API's, from either engine). */
export interface InstanceLike {
  readonly exports: Record<string, unknown>;
}

/** Exit code carried by a proc_exit unwinding, or undefined for any other exception. */
export function exitCodeOf(error: unknown): number | undefined {
  return error instanceof ProcExit ? error.code : undefined;
}

export class WASI {
  readonly wasiImport: Record<string, HostFunction>;
  private readonly ctx: WasiContext;
  private started = false;
  private closed = false;

  constructor(options: WASIOptions = {}) {
    this.ctx = new WasiContext({
      args: options.args ?? [],
      env: options.env ?? {},
      preopens: options.preopens ?? {},
      stdin: options.stdin ?? 0,
      stdout: options.stdout ?? 1,
      stderr: options.stderr ?? 2,
      sockets: options.sockets ?? [],
    });
    this.wasiImport = {};
    for (const fn of wasiFunctions) {
      const wrapped = wrap(this.ctx, fn);
      this.wasiImport[fn.name] = options.trace ? traced(fn.name, wrapped, options.trace) : wrapped;
    }
    for (const name of Object.keys(functionSignatures)) {
      if (!(name in this.wasiImport)) throw new Error(`WASI: ${name} is not implemented`);
    }
  }

  getImportObject(): { wasi_snapshot_preview1: Record<string, HostFunction> } {
    return { wasi_snapshot_preview1: this.wasiImport };
  }

  /**
   * Runs a command: calls `_start` and returns the exit code (0 when it returns, n on
   * proc_exit(n)). Traps and other exceptions propagate. Either way the host fds it holds
   * (preopens, files the guest left open) are closed when it ends.
   */
  start(instance: InstanceLike): number {
    this.attach(instance);
    const start = instance.exports._start;
    if (typeof start !== 'function')
      throw new TypeError('WASI: the instance exports no "_start" function');
    if ('_initialize' in instance.exports) {
      throw new TypeError('WASI: a command must not export "_initialize"');
    }
    try {
      start();
      return 0;
    } catch (error) {
      const code = exitCodeOf(error);
      if (code === undefined) throw error;
      return code;
    } finally {
      // The command is over: give back its host fds at once (a shim daemon lives long).
      this.close();
    }
  }

  /** Prepares a reactor: calls `_initialize` when exported. */
  initialize(instance: InstanceLike): void {
    this.attach(instance);
    const init = instance.exports._initialize;
    if ('_start' in instance.exports)
      throw new TypeError('WASI: a reactor must not export "_start"');
    if (init !== undefined) {
      if (typeof init !== 'function') throw new TypeError('WASI: "_initialize" is not a function');
      init();
    }
  }

  /** Lets a host that drives exports itself (e.g. --invoke) bind the memory without running. */
  attach(instance: InstanceLike): void {
    if (this.started) throw new Error('WASI: this instance has already started');
    this.started = true;
    const memory = instance.exports.memory as MemoryLike | undefined;
    // Duck-typed: an engine's memory may come from another realm, where instanceof fails.
    const buffer = (memory as { buffer?: { byteLength?: unknown } } | undefined)?.buffer;
    if (!memory || typeof buffer?.byteLength !== 'number') {
      throw new TypeError('WASI: the instance exports no memory named "memory"');
    }
    this.ctx.memory.memory = memory;
  }

  /** Closes the host fds the guest opened and stops the socket helper. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.fds.closeAll();
    this.ctx.sockets?.terminate();
  }
}

/** Reports each call to `trace`, also the ones that unwind (errno undefined). */
function traced(
  name: string,
  fn: HostFunction,
  trace: NonNullable<WASIOptions['trace']>,
): HostFunction {
  return (...args) => {
    let errno: number | undefined;
    try {
      errno = fn(...args);
      return errno;
    } finally {
      trace(name, args, errno);
    }
  };
}

/** The errno a failed call returns; exits, traps and bugs propagate. */
function onError(error: unknown): number {
  const errno = errnoOf(error);
  if (errno === undefined) throw error;
  return errno;
}

type Arg = number | bigint;

/**
 * Turns a declared function into the import: thrown errors become errno, exits unwind. One
 * fixed-arity closure per function (no rest arguments: these are the hot paths of I/O).
 */
function wrap(ctx: WasiContext, fn: WasiFunction): HostFunction {
  const f = fn.impl as (ctx: WasiContext, ...args: Arg[]) => number;
  // prettier-ignore
  switch (fn.params.length) {
    case 0: return () => { try { return f(ctx); } catch (e) { return onError(e); } };
    case 1: return (a) => { try { return f(ctx, a); } catch (e) { return onError(e); } };
    case 2: return (a, b) => { try { return f(ctx, a, b); } catch (e) { return onError(e); } };
    case 3: return (a, b, c) => { try { return f(ctx, a, b, c); } catch (e) { return onError(e); } };
    case 4: return (a, b, c, d) => { try { return f(ctx, a, b, c, d); } catch (e) { return onError(e); } };
    case 5: return (a, b, c, d, e) => { try { return f(ctx, a, b, c, d, e); } catch (x) { return onError(x); } };
    case 6: return (a, b, c, d, e, g) => { try { return f(ctx, a, b, c, d, e, g); } catch (x) { return onError(x); } };
    default: return (...args) => { try { return f(ctx, ...args); } catch (x) { return onError(x); } };
  }
}
