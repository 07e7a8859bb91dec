// The large real program of the engine benchmark: SQLite (the amalgamation npm better-sqlite3
// ships) with an in-memory workload (sqlite/workload.c), a 1.1 MB WASI reactor built by
// sqlite/build.sh. Times start-up (compile, instantiate, _initialize) and run(rows) per engine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { WASI } from '../../wasi';
import { Engine, instantiate } from './engines';

export interface SqliteTiming {
  startupMs: number;
  firstRunMs: number;
  bestRunMs: number;
  result: string;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** The built program, building it first when missing; undefined (with a reason) if that fails. */
export function sqliteProgram(): Uint8Array | string {
  const root = repoRoot();
  const wasm = path.join(root, 'build', 'bench', 'sqlite', 'sqlite_bench.wasm');
  const build = spawnSync('bash', [path.join(root, 'bench', 'engine', 'sqlite', 'build.sh')], {
    encoding: 'utf8',
  });
  if (build.status !== 0 || !fs.existsSync(wasm)) {
    return `sqlite: not built (${(build.stderr || build.error?.message || '').trim().slice(-300)})`;
  }
  return new Uint8Array(fs.readFileSync(wasm));
}

export function timeSqlite(
  engine: Engine,
  bytes: Uint8Array,
  rows: number,
  reps: number,
): SqliteTiming {
  const started = performance.now();
  const wasi = new WASI({ args: ['sqlite_bench'] });
  const instance = instantiate(engine, bytes, wasi.getImportObject());
  wasi.initialize(instance);
  const startupMs = performance.now() - started;
  const run = instance.exports.run as (rows: number) => number;
  let t = performance.now();
  const result = String(run(rows) >>> 0);
  const firstRunMs = performance.now() - t;
  let bestRunMs = firstRunMs;
  for (let i = 1; i < reps; i++) {
    t = performance.now();
    const again = String(run(rows) >>> 0);
    bestRunMs = Math.min(bestRunMs, performance.now() - t);
    if (again !== result)
      throw new Error(`sqlite on ${engine.name}: run ${i} gave ${again}, first ${result}`);
  }
  return { startupMs, firstRunMs, bestRunMs, result };
}
