// Validation throughput benchmark: times tswasm's validateModule (on an already decoded module)
// against V8's WebAssembly.validate (decode + validate, the only entry V8 offers) on the same
// bytes in the same run, and prints MB/s of code-section bytes and the ratio. Also prints the
// time tswasm spends decoding, so the compile-time split is visible.
// Inputs: the large generated module of the engine benchmark and SQLite's wasm when built.
// Usage: node dist/bench/validate/run.js [--reps N]
import * as fs from 'fs';
import * as path from 'path';
import { decodeModule } from '../../runtime/binary/decoder';
import { validateModule } from '../../runtime/validate';
import { WasmModule } from '../../runtime/model';
import { largeModule } from '../engine/large-module';

/** V8's own validator (lib.dom's WebAssembly types are not in this project's lib). */
const v8Validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
  .WebAssembly.validate;

interface Input {
  name: string;
  bytes: Uint8Array;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function inputs(): Input[] {
  const list: Input[] = [{ name: 'large (generated)', bytes: largeModule().bytes }];
  const sqlite = path.join(repoRoot(), 'build', 'bench', 'sqlite', 'sqlite_bench.wasm');
  if (fs.existsSync(sqlite)) {
    list.push({ name: 'sqlite', bytes: new Uint8Array(fs.readFileSync(sqlite)) });
  } else {
    console.log(`(sqlite skipped: ${sqlite} not built; npm run bench -- engine builds it)`);
  }
  return list;
}

/** Bytes of instructions and local declarations: what a body validator walks. */
function codeBytes(m: WasmModule): number {
  let total = 0;
  for (const body of m.codes) total += body.end - body.start;
  return total;
}

/** Best time of `reps` runs of `f`, in milliseconds. */
function best(reps: number, f: () => void): number {
  let ms = Infinity;
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    f();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

function main(): void {
  const repsAt = process.argv.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(process.argv[repsAt + 1]) : 10;
  const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1e3)).toFixed(0);
  for (const input of inputs()) {
    const bytes = input.bytes;
    const module = decodeModule(bytes);
    const code = codeBytes(module);
    if (!v8Validate(bytes)) throw new Error(`${input.name}: V8 rejects it`);
    validateModule(module); // throws when tswasm rejects it
    const first = best(1, () => validateModule(module));
    // Interleave the engines round by round so load from other processes falls on both alike.
    let tswasmMs = Infinity;
    let v8Ms = Infinity;
    let decodeMs = Infinity;
    for (let round = 0; round < reps; round++) {
      decodeMs = Math.min(
        decodeMs,
        best(1, () => decodeModule(bytes)),
      );
      tswasmMs = Math.min(
        tswasmMs,
        best(1, () => validateModule(module)),
      );
      v8Ms = Math.min(
        v8Ms,
        best(1, () => v8Validate(bytes)),
      );
    }
    console.log(
      `${input.name}: ${(bytes.length / 1e6).toFixed(2)} MB, ${module.codes.length} functions, ` +
        `${(code / 1e6).toFixed(2)} MB of code`,
    );
    console.log(
      `  tswasm validateModule ${tswasmMs.toFixed(1)} ms (${mbps(code, tswasmMs)} MB/s; ` +
        `early run ${first.toFixed(1)} ms)`,
    );
    console.log(
      `  tswasm decodeModule   ${decodeMs.toFixed(1)} ms (${mbps(bytes.length, decodeMs)} MB/s)`,
    );
    console.log(`  V8 WebAssembly.validate ${v8Ms.toFixed(1)} ms (${mbps(code, v8Ms)} MB/s)`);
    console.log(`  ratio tswasm / V8: ${(tswasmMs / v8Ms).toFixed(2)}x`);
  }
}

main();
