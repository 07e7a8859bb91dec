// `tswasm-shim run [options] FILE|BUNDLE|IMAGE [ARGS...]`: wasmtime-style flags, the input
// recognised by content (target.ts), then runModule.
// Exit status, as wasmtime's CLI: the module's exit code (0..125); 134 after a trap (128 +
// SIGABRT); 1 when the module cannot be read, compiled or linked, or calls proc_exit(n >= 126)
// (WASI reserves those; wasmtime reports an error); 137 past --memory-limit (as the shim);
// 2 for a bad command line.
import * as fs from 'fs';
// run.ts (the engine, WASI) and target.ts (OCI) are required when a run starts, so that
// `run --help` and a bad command line load neither
import type { EngineName, RunError, RunOptions } from './run';
import type { ListenSpec } from '../../wasi';

export const runUsage = `Usage: tswasm-shim run [options] FILE.wasm|BUNDLE|IMAGE [ARGS...]

Runs a WebAssembly module with WASI preview1, or a container the way the tswasm shim runs it:
  FILE.wasm         a module (starts with \\0asm); ARGS are its arguments
  BUNDLE            an OCI bundle directory (config.json and its rootfs), planned as the shim
                    plans it; ARGS are appended to process.args
  IMAGE[@REF]       an OCI image: a layout directory or a tar (ctr image export, docker save),
                    unpacked into a temporary rootfs; ARGS replace the image's Cmd (after its
                    Entrypoint), as docker run does; REF picks an image by name or tag
Options come before FILE; everything after it goes to the module.

Options:
  --dir HOST[::GUEST]    preopen host directory HOST as GUEST (default: HOST); repeatable
  --env NAME=VALUE       set an environment variable for the module; repeatable
  --env NAME             pass the host's value of NAME through
  --invoke NAME          call export NAME (with ARGS as its parameters) instead of _start,
                         and print its results (modules only)
  --engine tswasm|v8     the engine (default: tswasm when built, else v8)
  --tcplisten HOST:PORT  listen on HOST:PORT and give the module the socket (fd 3, 4, ...)
  --platform OS/ARCH     the image platform to run (default: wasip1/wasm, then wasi/wasm)
  --memory-limit BYTES   stop the module when its memory grows past BYTES (K, M, G suffixes
                         allowed); a bundle's linux.resources.memory.limit applies otherwise
  --trace-wasi           print every WASI call and its errno to stderr
  -h, --help             print this help

Exit status (as wasmtime): the module's exit code; 134 after a trap; 1 when the input cannot
be loaded, compiled or linked, or the module calls proc_exit with a code of 126 or more;
137 when the memory limit stopped it; 2 for a bad command line.
`;

export class UsageError extends Error {}

/** The command line: run options plus what only picks the target. */
export interface RunCommandLine extends RunOptions {
  platform?: string;
}

/** `1048576`, `64K`, `512M`, `1G` (powers of 1024) → bytes. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+)([KMG]i?B?)?$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').charAt(0).toUpperCase();
  const bytes =
    Number(match[1]) *
    (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** Splits `--name=value` and `--name value`. */
export function parseArgs(argv: string[], allowed?: ReadonlySet<string>): RunCommandLine | 'help' {
  const options: RunCommandLine = { file: '', args: [], env: {}, preopens: {}, sockets: [] };
  const sockets: ListenSpec[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
      return argv[++i];
    };
    if (allowed && !allowed.has(name)) throw new UsageError(`unknown option ${name}`);
    switch (name) {
      case '--platform':
        options.platform = takeValue();
        if (!/^[^/]+\/[^/]+(\/[^/]+)?$/.test(options.platform))
          throw new UsageError(`--platform ${options.platform}: expected OS/ARCH[/VARIANT]`);
        break;
      case '--memory-limit': {
        const value = takeValue();
        options.memoryLimit = parseBytes(value);
        if (options.memoryLimit === undefined)
          throw new UsageError(`--memory-limit ${value}: expected a positive number of bytes`);
        break;
      }
      case '--dir': {
        const value = takeValue();
        const split = value.indexOf('::');
        const host = split >= 0 ? value.slice(0, split) : value;
        const guest = split >= 0 ? value.slice(split + 2) : value;
        if (!host || !guest) throw new UsageError(`--dir ${value}: expected HOST[::GUEST]`);
        let isDir = false;
        try {
          isDir = fs.statSync(host).isDirectory();
        } catch {
          // reported below
        }
        if (!isDir) throw new UsageError(`--dir ${value}: ${host} is not a directory`);
        options.preopens[guest] = host;
        break;
      }
      case '--env': {
        const value = takeValue();
        const at = value.indexOf('=');
        if (at === 0) throw new UsageError(`--env ${value}: expected NAME=VALUE or NAME`);
        if (at > 0) options.env[value.slice(0, at)] = value.slice(at + 1);
        else if (process.env[value] !== undefined)
          options.env[value] = process.env[value] as string;
        break;
      }
      case '--trace-wasi':
        if (eq >= 0) throw new UsageError('--trace-wasi takes no value');
        options.traceFd = 2;
        break;
      case '--invoke':
        options.invoke = takeValue();
        break;
      case '--engine': {
        const value = takeValue();
        if (value !== 'tswasm' && value !== 'v8')
          throw new UsageError(`--engine ${value}: expected tswasm or v8`);
        options.engine = value as EngineName;
        break;
      }
      case '--tcplisten': {
        const value = takeValue();
        const match = /^(.*):(\d+)$/.exec(value);
        const port = match ? Number(match[2]) : NaN;
        if (!match || !match[1] || port > 65535)
          throw new UsageError(`--tcplisten ${value}: expected HOST:PORT`);
        sockets.push({ host: match[1].replace(/^\[(.*)\]$/, '$1'), port });
        break;
      }
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  if (i >= argv.length) throw new UsageError('missing FILE.wasm, BUNDLE or IMAGE');
  options.file = argv[i];
  options.args = argv.slice(i + 1);
  options.sockets = sockets;
  return options;
}

/** wasm frames of a trap's stack (V8 names them wasm-function[N] or by export/name section). */
function wasmBacktrace(error: unknown): string[] {
  const stack = (error as Error | undefined)?.stack ?? '';
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const ours = /[\\/](wasi|shim[\\/]cli|dist[\\/]bin)[\\/]|node:internal|<anonymous>/;
  return frames
    .filter((line) => !ours.test(line))
    .map((line, n) => `    ${n}: ${line.trim().slice(3)}`);
}

function write(fd: number, text: string): void {
  fs.writeSync(fd, text);
}

/** The exit status and message for a failed run, as wasmtime words and numbers them. */
export function reportFailure(error: RunError, file: string): number {
  switch (error.kind) {
    case 'usage':
      write(2, `tswasm-shim run: ${error.message}\n`);
      return 2;
    case 'trap': {
      const frames = wasmBacktrace(error.detail);
      write(
        2,
        `Error: failed to run main module \`${file}\`\n\nCaused by:\n` +
          (frames.length
            ? `    wasm backtrace:\n${frames.map((f) => '    ' + f).join('\n')}\n`
            : '') +
          `    wasm trap: ${error.message}\n`,
      );
      return 134;
    }
    case 'exit-status':
      // wasmtime: an error, not a trap, so Rust's default exit status 1
      write(
        2,
        `Error: failed to run main module \`${file}\`\n\nCaused by:\n    ${error.message}\n`,
      );
      return 1;
    case 'oom':
      // the shim's wording and status (the container is killed: 128 + SIGKILL)
      write(2, `tswasm: ${error.message}\n`);
      return 137;
    default:
      write(2, `Error: ${error.message}\n`);
      return 1;
  }
}

function usageFailure(message: string): number {
  write(2, `tswasm-shim run: ${message}\n\n${runUsage}`);
  return 2;
}

export async function runCommand(argv: string[]): Promise<number> {
  let options: RunCommandLine | 'help';
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(error.message);
  }
  if (options === 'help') {
    write(1, runUsage);
    return 0;
  }
  const { openTargetOrReport, withCommandLine } = require('./target') as typeof import('./target');
  const { runModule, RunError } = require('./run') as typeof import('./run');
  const target = await openTargetOrReport(options.file, {
    args: options.args,
    platform: options.platform,
  });
  if (target === undefined) return 1;
  try {
    if (options.invoke !== undefined && target.kind !== 'module') {
      return usageFailure(`--invoke runs a module's export; ${options.file} is a ${target.kind}`);
    }
    const run: RunOptions = {
      ...options,
      file: target.entryPath,
      argv0: target.argv[0],
      args: target.argv.slice(1),
      ...withCommandLine(target, options),
    };
    if (target.kind === 'module') run.argv0 = undefined;
    try {
      const result = runModule(run);
      for (const value of result.results ?? []) write(1, `${String(value)}\n`);
      return result.exitCode;
    } catch (error) {
      if (!(error instanceof RunError)) throw error;
      return reportFailure(error, target.kind === 'module' ? options.file : target.entryPath);
    }
  } finally {
    target.cleanup();
  }
}
