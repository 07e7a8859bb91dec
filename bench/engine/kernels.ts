// The compute kernels (bench/engine/fixtures/bench_*.c, built to build/fixtures/) and the
// argument each is benchmarked with: every kernel exports `run(n)` returning a checksum.
import * as fs from 'fs';
import * as path from 'path';

export interface Kernel {
  name: string;
  what: string;
  /** Argument of the timed run (sized for roughly 25-50 ms on V8 here, once warm). */
  benchArg: number;
  /** Argument of a quick correctness run (unit tests, warm-up). */
  quickArg: number;
}

export const KERNELS: Kernel[] = [
  { name: 'coremark', what: 'list, matrix, state machine, CRC', benchArg: 500, quickArg: 3 },
  { name: 'hash64', what: '64-bit xxHash-style hashing', benchArg: 800, quickArg: 2 },
  { name: 'nbody', what: 'f64 n-body simulation', benchArg: 600_000, quickArg: 1000 },
  { name: 'fib', what: 'recursive calls, fib(n)', benchArg: 35, quickArg: 15 },
  { name: 'interp', what: 'switch-dispatch bytecode interpreter', benchArg: 16_000, quickArg: 20 },
  { name: 'string', what: 'memcpy/memmove/memcmp string work', benchArg: 60, quickArg: 2 },
];

/** build/fixtures/, found from dist/bench/engine/ (or bench/engine/ under ts-node). */
export function fixturesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'build', 'fixtures');
}

export function kernelBytes(kernel: Kernel): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(fixturesDir(), `bench_${kernel.name}.wasm`)));
}

/** Calls `run(n)`; results are compared as strings (i64 comes back as a BigInt). */
export function runKernel(exports: Readonly<Record<string, unknown>>, arg: number): string {
  const run = exports.run as (n: number) => number | bigint;
  return String(run(arg));
}
