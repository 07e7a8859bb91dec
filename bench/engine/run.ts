// Engine benchmark: runs each compute kernel (kernels.ts) in this one process on V8's own
// WebAssembly, on polywasm, and on tswasm when it is built; checks all give the same result;
// prints each engine's time and its ratio to V8, and the geometric mean of the ratios. Then
// times compile + instantiate + first call of a large generated module (large-module.ts), and
// SQLite (sqlite.ts): start-up, first run and best run of an in-memory workload.
// Time per kernel = best of REPS rounds (engines interleaved) after a warm-up run.
// Usage: node dist/bench/engine/run.js [--reps N] [KERNEL|large|sqlite...]
// (`npm run bench -- engine` runs everything)
import { Engine, engines, instantiate } from './engines';
import { KERNELS, Kernel, kernelBytes, runKernel } from './kernels';
import { largeModule } from './large-module';
import { sqliteProgram, timeSqlite } from './sqlite';

const SQLITE_ROWS = 5000;

interface Measured {
  ms: number;
  result: string;
}

/**
 * Times a kernel on every engine: one warm-up run each (first-call compilation, tier-up), then
 * REPS rounds that run each engine in turn, so load from other processes on this shared machine
 * falls on all engines alike; each engine's time is its best round.
 */
function timeKernel(list: Engine[], kernel: Kernel, reps: number): Measured[] {
  const instances = list.map((engine) => instantiate(engine, kernelBytes(kernel)));
  for (const instance of instances) runKernel(instance.exports, kernel.quickArg);
  const measured: Measured[] = list.map(() => ({ ms: Infinity, result: '' }));
  for (let round = 0; round < reps; round++) {
    instances.forEach((instance, i) => {
      const started = performance.now();
      measured[i].result = runKernel(instance.exports, kernel.benchArg);
      measured[i].ms = Math.min(measured[i].ms, performance.now() - started);
    });
  }
  return measured;
}

function geomean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

function cell(text: string, width: number): string {
  return text.padStart(width);
}

/** Prints the kernel table; returns the number of kernels whose results differ. */
function kernelTable(list: Engine[], kernels: Kernel[], reps: number): number {
  const others = list.filter((e) => e.name !== 'v8');
  let header = `${'kernel'.padEnd(10)}${cell('v8 ms', 10)}`;
  for (const e of others) header += `${cell(`${e.name} ms`, 14)}${cell('x v8', 8)}`;
  process.stdout.write(`${header}  result\n`);
  const ratios = new Map<string, number[]>(others.map((e) => [e.name, []]));
  let mismatches = 0;
  for (const kernel of kernels) {
    const measured = timeKernel(list, kernel, reps);
    const v8 = measured[0];
    let line = `${kernel.name.padEnd(10)}${cell(v8.ms.toFixed(1), 10)}`;
    others.forEach((engine, i) => {
      const m = measured[i + 1];
      const ratio = m.ms / v8.ms;
      ratios.get(engine.name)!.push(ratio);
      line += `${cell(m.ms.toFixed(1), 14)}${cell(ratio.toFixed(2), 8)}`;
    });
    const differing = measured.filter((m) => m.result !== v8.result);
    if (differing.length > 0) mismatches++;
    const results = differing.length === 0 ? v8.result : measured.map((m) => m.result).join(' / ');
    process.stdout.write(`${line}  ${differing.length === 0 ? '' : 'MISMATCH '}${results}\n`);
  }
  let mean = `${'geomean'.padEnd(10)}${cell('', 10)}`;
  for (const e of others)
    mean += `${cell('', 14)}${cell(geomean(ratios.get(e.name)!).toFixed(2), 8)}`;
  process.stdout.write(`${mean}\n`);

  return mismatches;
}

function main(): void {
  const args = process.argv.slice(2);
  // 7: a JIT engine's second and third calls may still run code it is about to replace
  // (deopts, on-stack replacement); the best of 7 is the steady state, for every engine alike
  let reps = 7;
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = Number(args[++i]);
    else only.push(args[i]);
  }
  const list = engines();
  if (!list.some((e) => e.name === 'tswasm')) process.stdout.write('tswasm: not available\n');
  const kernels = KERNELS.filter((k) => only.length === 0 || only.includes(k.name));
  let mismatches = 0;
  if (kernels.length > 0) mismatches += kernelTable(list, kernels, reps);

  if (only.length === 0 || only.includes('large')) mismatches += largeModuleSection(list);
  if (only.length === 0 || only.includes('sqlite')) mismatches += sqliteSection(list, reps);
  if (mismatches > 0) {
    process.stdout.write(`${mismatches} results differ between engines\n`);
    process.exitCode = 1;
  }
}

/**
 * Prints compile + instantiate + first call of the generated module per engine, with the three
 * parts apart; returns the number of engines whose main(7) differs from V8's.
 */
function largeModuleSection(list: Engine[]): number {
  const generated = largeModule();
  const mb = (generated.bytes.length / 1e6).toFixed(1);
  process.stdout.write(
    `\nlarge module (${mb} MB, ${generated.functions} functions): compile + instantiate + first call\n` +
      `  ${'engine'.padEnd(10)}${cell('total ms', 10)}${cell('x v8', 8)}${cell('compile', 10)}` +
      `${cell('instantiate', 13)}${cell('first call', 12)}\n`,
  );
  let v8: { ms: number; result: string } | undefined;
  let mismatches = 0;
  for (const engine of list) {
    const t0 = performance.now();
    const module = new engine.api.Module(new Uint8Array(generated.bytes));
    const t1 = performance.now();
    const instance = new engine.api.Instance(module, {});
    const t2 = performance.now();
    const result = String((instance.exports.main as (x: number) => number)(7));
    const t3 = performance.now();
    v8 ??= { ms: t3 - t0, result };
    const differs = result !== v8.result;
    if (differs) mismatches++;
    process.stdout.write(
      `  ${engine.name.padEnd(10)}${cell((t3 - t0).toFixed(1), 10)}${cell(((t3 - t0) / v8.ms).toFixed(2), 8)}` +
        `${cell((t1 - t0).toFixed(1), 10)}${cell((t2 - t1).toFixed(1), 13)}${cell((t3 - t2).toFixed(1), 12)}` +
        `${differs ? `  MISMATCH ${result} vs ${v8.result}` : ''}\n`,
    );
  }
  return mismatches;
}

/** Prints the SQLite rows; returns the number of engines whose checksum differs from V8's. */
function sqliteSection(list: Engine[], reps: number): number {
  const program = sqliteProgram();
  if (typeof program === 'string') {
    process.stdout.write(`\n${program}\n`);
    return 0;
  }
  process.stdout.write(
    `\nsqlite (${(program.length / 1e6).toFixed(1)} MB wasm, in-memory, ${SQLITE_ROWS} rows)\n` +
      `  ${'engine'.padEnd(10)}${cell('start-up ms', 12)}${cell('first run ms', 14)}${cell('best run ms', 13)}${cell('x v8', 8)}  checksum\n`,
  );
  let v8: { bestRunMs: number; result: string } | undefined;
  let mismatches = 0;
  for (const engine of list) {
    let line = `  ${engine.name.padEnd(10)}`;
    try {
      const t = timeSqlite(engine, program, SQLITE_ROWS, Math.min(reps, 2));
      v8 ??= t;
      const differs = t.result !== v8.result;
      if (differs) mismatches++;
      line +=
        `${cell(t.startupMs.toFixed(1), 12)}${cell(t.firstRunMs.toFixed(1), 14)}` +
        `${cell(t.bestRunMs.toFixed(1), 13)}${cell((t.bestRunMs / v8.bestRunMs).toFixed(2), 8)}` +
        `  ${differs ? 'MISMATCH ' : ''}${t.result}`;
    } catch (e) {
      mismatches++;
      line += `failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
    }
    process.stdout.write(`${line}\n`);
  }
  return mismatches;
}

main();
