// `tswasm-shim run [options] FILE.wasm [ARGS...]`: wasmtime-style flags, then runModule.
// Exit status: the module's exit code; 134 after a trap (what wasmtime does: 128 + SIGABRT);
// 1 when the module cannot be read, compiled or linked; 2 for a bad command line.
import * as fs from 'fs';
import { EngineName, RunError, RunOptions, runModule } from './run';
import type { ListenSpec } from '../../wasi';

export const runUsage = `Usage: tswasm-shim run [options] FILE.wasm [ARGS...]

Runs a WebAssembly module with WASI preview1. Options come before FILE; everything after it
goes to the module.

Options:
  --dir HOST[::GUEST]    preopen host directory HOST as GUEST (default: HOST); repeatable
  --env NAME=VALUE       set an environment variable for the module; repeatable
  --env NAME             pass the host's value of NAME through
  --invoke NAME          call export NAME (with ARGS as its parameters) instead of _start,
                         and print its results
  --engine tswasm|v8     the engine (default: tswasm when built, else v8)
  --tcplisten HOST:PORT  listen on HOST:PORT and give the module the socket (fd 3, 4, ...)
  --trace-wasi           print every WASI call and its errno to stderr
  -h, --help             print this help

Exit status: the module's exit code; 134 after a trap; 1 when the module cannot be
loaded, compiled or linked; 2 for a bad command line.
`;

class UsageError extends Error {}

/** Splits `--name=value` and `--name value`. */
function parseArgs(argv: string[]): RunOptions | 'help' {
  const options: RunOptions = { file: '', args: [], env: {}, preopens: {}, sockets: [] };
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
    switch (name) {
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
  if (i >= argv.length) throw new UsageError('missing FILE.wasm');
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

export function runCommand(argv: string[]): number {
  let options: RunOptions | 'help';
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    write(2, `tswasm-shim run: ${error.message}\n\n${runUsage}`);
    return 2;
  }
  if (options === 'help') {
    write(1, runUsage);
    return 0;
  }
  try {
    const result = runModule(options);
    for (const value of result.results ?? []) write(1, `${String(value)}\n`);
    return result.exitCode;
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    switch (error.kind) {
      case 'usage':
        write(2, `tswasm-shim run: ${error.message}\n`);
        return 2;
      case 'trap': {
        const frames = wasmBacktrace(error.detail);
        write(
          2,
          `Error: failed to run main module \`${options.file}\`\n\nCaused by:\n` +
            (frames.length
              ? `    wasm backtrace:\n${frames.map((f) => '    ' + f).join('\n')}\n`
              : '') +
            `    wasm trap: ${error.message}\n`,
        );
        return 134;
      }
      default:
        write(2, `Error: ${error.message}\n`);
        return 1;
    }
  }
}
