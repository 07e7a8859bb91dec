// Running commands for integration tests: one-shot runs with stdin, a timeout and captured
// output, background runs whose output can be awaited as it streams, and /proc queries
// (which processes reference a path, process trees and their memory).
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';

export interface RunOptions {
  /** bytes written to stdin, then stdin is closed; omitted: stdin is closed at once */
  stdin?: string | Uint8Array;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunResult {
  /** exit code; null when killed by a signal (see `signal`) */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** Runs a command to completion; never rejects for a non-zero exit (check `code`). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  // its own process group, so a timeout also ends what it started (a shell's ctr, say)
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {}); // the command may exit without reading its input
  child.stdin.end(options.stdin ?? '');
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup(child);
        }, options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        timedOut,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** A command left running in the background, whose output is collected as it arrives. */
export class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;
  private readonly listeners = new Set<() => void>();

  constructor(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}) {
    const started = performance.now();
    this.child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      this.notify();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.notify();
    });
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.notify();
        resolve({
          code,
          signal,
          stdout: this.stdout,
          stderr: this.stderr,
          timedOut: false,
          durationMs: performance.now() - started,
        });
      });
    });
  }

  /** Writes to the command's stdin; `end` closes it afterwards. */
  write(data: string, end = false): void {
    if (end) this.child.stdin!.end(data);
    else this.child.stdin!.write(data);
  }

  /** Resolves once stdout matches `pattern`; rejects after `timeoutMs` or if the command exits. */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let exitedEarly = false;
      const check = (): void => {
        const match = this.stdout.match(pattern);
        if (match) return finish(() => resolve(match));
        if (exitedEarly || this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(() =>
            reject(
              new Error(
                `command exited before its output matched ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new Error(
                `output did not match ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        then();
      };
      this.listeners.add(check);
      this.exited.then(
        () => {
          exitedEarly = true;
          check();
        },
        () => {},
      );
      check();
    });
  }

  /** Waits for exit, killing the command with SIGKILL after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<RunResult> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return { ...result, timedOut };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** SIGKILL to a child's whole process group (it was spawned detached, as its leader). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone; the child may still be there
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

export function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The command line of a process, arguments joined by spaces. */
export function commandLine(pid: number): string | undefined {
  return readProc(pid, 'cmdline')?.split('\0').join(' ').trim();
}

/** The program a process runs, as its command line names it. */
export function argv0(pid: number): string | undefined {
  return readProc(pid, 'cmdline')?.split('\0')[0];
}

/** Processes whose command line or environment mentions `text` (e.g. a private socket dir). */
export function processesReferencing(text: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    return readProc(pid, 'cmdline')?.includes(text) || readProc(pid, 'environ')?.includes(text);
  });
}

export function parentPid(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // the command name may hold spaces and parentheses: fields resume after the last ')'
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `pid` and every descendant of it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const parent = parentPid(p);
    if (parent === undefined) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(p);
  }
  const tree: number[] = [];
  const walk = (p: number): void => {
    tree.push(p);
    for (const child of children.get(p) ?? []) walk(child);
  };
  walk(pid);
  return tree;
}

/** Resident set size of a process in bytes (VmRSS), 0 when it is gone. */
export function rssBytes(pid: number): number {
  const status = readProc(pid, 'status');
  const match = status?.match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = lines
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => !!point)
    .map((point) => point.replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
