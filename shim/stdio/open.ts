// Opens a container process's stdio as containerd hands it over, chosen by URI scheme:
// a FIFO path (ctr, CRI), `fifo://`, `file://` (log file), `binary://` (logging binary), or ''
// (no stream). Output FIFOs are opened O_RDWR so the open never blocks and our writes survive
// containerd restarting its reader. stdin is opened by the worker itself (the open may block).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { invalidArgument } from '../errors';

/** The stdio paths exactly as Create or Exec gave them (State returns them unchanged). */
export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

/** Output streams opened for a process: host fds (-1 = none), and how to release them. */
export interface OpenedOutput {
  stdout: number;
  stderr: number;
  /** Closes what we opened; after this the readers see EOF once all writers are gone. */
  close(): void;
}

export interface BinaryLogContext {
  containerId: string;
  namespace: string;
}

export function openOutput(paths: StdioPaths, context: BinaryLogContext): OpenedOutput {
  if (paths.stdout.startsWith('binary://') || paths.stderr.startsWith('binary://'))
    return openBinaryLogger(paths.stdout || paths.stderr, context);
  const fds: number[] = [];
  try {
    const stdout = openOne(paths.stdout);
    if (stdout >= 0) fds.push(stdout);
    const stderr = paths.stderr === paths.stdout && stdout >= 0 ? stdout : openOne(paths.stderr);
    if (stderr >= 0 && stderr !== stdout) fds.push(stderr);
    return { stdout, stderr, close: () => closeAll(fds) };
  } catch (err) {
    closeAll(fds);
    throw err;
  }
}

/** stdin as the worker reads it: `reader`; `keeper` holds the FIFO's write side (or -1). */
export interface OpenedStdin {
  reader: number;
  keeper: number;
}

/**
 * Opens stdin without blocking: first a keeper for writing (O_RDWR never blocks on a FIFO),
 * then the reader (O_RDONLY returns at once now that a writer exists), whose reads then block
 * for data instead of seeing EOF before the client connects. Closing the keeper (CloseIO)
 * lets the reader see EOF once the client's writer is closed too.
 */
export function openStdin(file: string): OpenedStdin {
  if (file === '') return { reader: -1, keeper: -1 };
  const keeper = fs.openSync(file, fs.constants.O_RDWR);
  try {
    return { reader: fs.openSync(file, fs.constants.O_RDONLY), keeper };
  } catch (err) {
    fs.closeSync(keeper);
    throw err;
  }
}

/** The path a stdin URI names, for the worker to open; '' when there is no stdin. */
export function stdinPath(uri: string): string {
  if (uri === '') return '';
  if (uri.startsWith('fifo://')) return uri.slice('fifo://'.length);
  if (uri.startsWith('file://')) return new URL(uri).pathname;
  if (uri.includes('://')) throw invalidArgument(`unsupported stdin URI ${uri}`);
  return uri;
}

function openOne(uri: string): number {
  if (uri === '') return -1;
  if (uri.startsWith('file://')) {
    const file = decodeURIComponent(new URL(uri).pathname);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return fs.openSync(
      file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT,
      0o644,
    );
  }
  const file = uri.startsWith('fifo://') ? uri.slice('fifo://'.length) : uri;
  if (file.includes('://')) throw invalidArgument(`unsupported stdio URI ${uri}`);
  return fs.openSync(file, fs.constants.O_RDWR);
}

function closeAll(fds: number[]): void {
  for (const fd of fds.splice(0)) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/**
 * `binary:///path/to/logger?key=value`: containerd's logging-binary protocol. The binary gets
 * CONTAINER_ID and CONTAINER_NAMESPACE in its environment, stdout on fd 3, stderr on fd 4, and
 * fd 5 to close once it is ready. We hand it the read ends of two FIFOs we write into.
 */
function openBinaryLogger(uri: string, context: BinaryLogContext): OpenedOutput {
  const url = new URL(uri);
  const binary = decodeURIComponent(url.pathname);
  const args: string[] = [];
  for (const [key, value] of url.searchParams) args.push(`-${key}`, value);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-log-'));
  const out = path.join(dir, 'stdout');
  const err = path.join(dir, 'stderr');
  const made = spawnSync('mkfifo', [out, err]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  const stdout = fs.openSync(out, fs.constants.O_RDWR);
  const stderr = fs.openSync(err, fs.constants.O_RDWR);
  // blocking read ends for the child; the opens return at once as our write ends exist
  const childOut = fs.openSync(out, fs.constants.O_RDONLY);
  const childErr = fs.openSync(err, fs.constants.O_RDONLY);
  const child = spawn(binary, args, {
    stdio: ['ignore', 'ignore', 'ignore', childOut, childErr, 'pipe'],
    env: {
      ...process.env,
      CONTAINER_ID: context.containerId,
      CONTAINER_NAMESPACE: context.namespace,
    },
    detached: true,
  });
  child.on('error', () => {});
  (child.stdio as unknown as Array<{ destroy(): void } | null>)[5]?.destroy();
  child.unref();
  fs.closeSync(childOut);
  fs.closeSync(childErr);
  fs.rmSync(dir, { recursive: true, force: true });
  return { stdout, stderr, close: () => closeAll([stdout, stderr]) };
}
