// Validation throughput benchmark: times tswasm's validateModule (on an already decoded module)
// against V8's WebAssembly.validate (decode + validate, the only entry V8 offers) on the same
// bytes in the same run, and prints MB/s of function-body bytes and the ratio. Also prints the
// time tswasm spends decoding, so the compile-time split is visible, and the same steps in a
// fresh process (cold: what a program's start-up pays, JIT warm-up included).
// Inputs: the large generated module of the engine benchmark and SQLite's wasm when built.
// Each steady time is the best of REPS rounds, the engines interleaved round by round so load
// from other processes on this shared machine falls on both alike; each cold time is the
// median of COLD fresh processes.
// Usage: node dist/bench/validate/run.js [--reps N] [--cold N]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { decodeModule } from '../../runtime/binary/decoder';
import { validateModule } from '../../runtime/validate';
import { WasmModule } from '../../runtime/model';
import { largeModule } from '../engine/large-module';

/** V8's own validator (lib.dom's WebAssembly types are not in this project's lib). */
const v8Validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
  .WebAssembly.validate;

const LARGE = 'large (generated)';
const SQLITE = 'sqlite';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function sqlitePath(): string {
  return path.join(repoRoot(), 'build', 'bench', 'sqlite', 'sqlite_bench.wasm');
}

/** The bytes of input `name`, or undefined when it is not built. */
function inputBytes(name: string): Uint8Array | undefined {
  if (name === LARGE) return largeModule().bytes;
  const file = sqlitePath();
  return fs.existsSync(file) ? new Uint8Array(fs.readFileSync(file)) : undefined;
}

/** Bytes of instructions and local declarations: what a body validator walks. */
function codeBytes(m: WasmModule): number {
  let total = 0;
  for (const body of m.codes) total += body.end - body.start;
  return total;
}

/** Time of one call of `f`, in milliseconds. */
function time(f: () => void): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1e3)).toFixed(0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** In a child process: decode and validate once, print both times as JSON. */
function coldChild(name: string): void {
  const bytes = inputBytes(name) as Uint8Array;
  let module: WasmModule | undefined;
  const decodeMs = time(() => (module = decodeModule(bytes)));
  const validateMs = time(() => validateModule(module as WasmModule));
  const v8Ms = time(() => v8Validate(bytes));
  process.stdout.write(JSON.stringify({ decodeMs, validateMs, v8Ms }));
}

/** Median cold times over `runs` fresh processes (V8's cold run in a process of its own). */
function cold(name: string, runs: number): { decodeMs: number; validateMs: number; v8Ms: number } {
  const samples: { decodeMs: number; validateMs: number; v8Ms: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [__filename, '--cold-child', name], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`cold run failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout));
  }
  return {
    decodeMs: median(samples.map((s) => s.decodeMs)),
    validateMs: median(samples.map((s) => s.validateMs)),
    v8Ms: median(samples.map((s) => s.v8Ms)),
  };
}

function measure(name: string, bytes: Uint8Array, reps: number, coldRuns: number): void {
  const module = decodeModule(bytes);
  const code = codeBytes(module);
  if (!v8Validate(bytes)) throw new Error(`${name}: V8 rejects it`);
  validateModule(module); // throws when tswasm rejects it
  let tswasmMs = Infinity;
  let v8Ms = Infinity;
  let decodeMs = Infinity;
  for (let round = 0; round < reps; round++) {
    decodeMs = Math.min(
      decodeMs,
      time(() => decodeModule(bytes)),
    );
    tswasmMs = Math.min(
      tswasmMs,
      time(() => validateModule(module)),
    );
    v8Ms = Math.min(
      v8Ms,
      time(() => v8Validate(bytes)),
    );
  }
  console.log(
    `${name}: ${(bytes.length / 1e6).toFixed(2)} MB, ${module.codes.length} functions, ` +
      `${(code / 1e6).toFixed(2)} MB of function bodies`,
  );
  console.log(`  steady (best of ${reps}):`);
  console.log(
    `    tswasm validateModule   ${tswasmMs.toFixed(1).padStart(7)} ms ${mbps(code, tswasmMs).padStart(5)} MB/s`,
  );
  console.log(
    `    V8 WebAssembly.validate ${v8Ms.toFixed(1).padStart(7)} ms ${mbps(code, v8Ms).padStart(5)} MB/s` +
      `   tswasm / V8 = ${(tswasmMs / v8Ms).toFixed(2)}x`,
  );
  console.log(`    tswasm decodeModule     ${decodeMs.toFixed(1).padStart(7)} ms`);
  if (coldRuns > 0) {
    const c = cold(name, coldRuns);
    console.log(`  cold (fresh process, median of ${coldRuns}):`);
    console.log(
      `    tswasm decode ${c.decodeMs.toFixed(1)} ms + validate ${c.validateMs.toFixed(1)} ms ` +
        `(${mbps(code, c.validateMs)} MB/s); V8 validate ${c.v8Ms.toFixed(1)} ms`,
    );
  }
}

function main(): void {
  const childAt = process.argv.indexOf('--cold-child');
  if (childAt >= 0) return coldChild(process.argv[childAt + 1]);
  const option = (flag: string, fallback: number) => {
    const at = process.argv.indexOf(flag);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const reps = option('--reps', 10);
  const coldRuns = option('--cold', 3);
  for (const name of [LARGE, SQLITE]) {
    const bytes = inputBytes(name);
    if (bytes === undefined) {
      console.log(
        `(${name} skipped: ${sqlitePath()} not built; npm run bench -- engine builds it)`,
      );
      continue;
    }
    measure(name, bytes, reps, coldRuns);
  }
}

main();
