// Shim benchmark against runc, on one private containerd in one run:
// 1. start-up: `ctr run --rm` of the hello-world Wasm image through tswasm vs the static native
//    hello image through runc, RUNS times each, interleaved; medians and their ratio;
// 2. memory: IDLE sleeping containers of each kind (`ctr run -d --null-io`); the RSS (and PSS,
//    which splits shared pages fairly) of every shim process and its children, per container;
//    tswasm twice: one daemon per container (the default outside pods), and `tswasm-1`, all in
//    one group (annotation io.containerd.tswasm.v1.group), as a pod's containers are.
// Start-up is also measured as `tswasm-s`: a second private containerd whose environment has
// TSWASM_SHIM_SPARE=1 (spare daemons booted ahead of need, shim/manager/spare.ts).
// Usage: node dist/bench/shim/run.js   (`npm run bench -- shim`)
// Env: TSWASM_BENCH_RUNS (default 10), TSWASM_BENCH_IDLE (default 50; 0 skips memory),
// TSWASM_BENCH_SPARE (default 1; 0 skips tswasm-s).
import * as fs from 'fs';
import {
  Containerd,
  importNativeImages,
  importWasmImages,
  nativeHelloImage,
  nativeSleepImage,
  processTree,
  rssBytes,
  tswasmRuntime,
  wasmImage,
} from '../../integration/harness';

const runs = Number(process.env.TSWASM_BENCH_RUNS ?? 10);
const idle = Number(process.env.TSWASM_BENCH_IDLE ?? 50);
const withSpare = process.env.TSWASM_BENCH_SPARE !== '0';

interface Runner {
  name: string;
  /** why this runner could not be measured (the other one still is) */
  failed?: string;
  /** ctr run arguments between `run` and the container id */
  image: string[];
  expected: RegExp;
  sleeper: string[];
}

const tswasm: Runner = {
  name: 'tswasm',
  image: ['--runtime', tswasmRuntime, wasmImage('hello')],
  expected: /^Hello from tswasm\n$/,
  sleeper: ['--runtime', tswasmRuntime, wasmImage('sleep')],
};
/** tswasm with every sleeper in one group: one shim daemon hosts them all (as a pod's do). */
const tswasmGrouped: Runner = {
  name: 'tswasm-1',
  image: tswasm.image,
  expected: tswasm.expected,
  sleeper: [
    '--runtime',
    tswasmRuntime,
    '--annotation',
    'io.containerd.tswasm.v1.group=bench',
    wasmImage('sleep'),
  ],
};
/** tswasm with spare daemons, on the containerd started with TSWASM_SHIM_SPARE=1. */
const tswasmSpare: Runner = { ...tswasm, name: 'tswasm-s' };
const runc: Runner = {
  name: 'runc',
  image: [nativeHelloImage],
  expected: /^Hello from a native container\n$/,
  sleeper: [nativeSleepImage],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** Proportional set size of a process (shared pages divided among their users), in bytes. */
function pssBytes(pid: number): number {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = rollup.match(/^Pss:\s+(\d+) kB/m);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function timeRuns(plain: Containerd, spared?: Containerd): Promise<void> {
  const runners = spared ? [tswasm, runc, tswasmSpare] : [tswasm, runc];
  const times: Record<string, number[]> = Object.fromEntries(runners.map((r) => [r.name, []]));
  for (let i = 0; i < runs + 1; i++) {
    // each round in another order
    const order = runners.map((_, k) => runners[(k + i) % runners.length]);
    for (const runner of order) {
      if (runner.failed) continue;
      const containerd = runner === tswasmSpare && spared ? spared : plain;
      const id = `${runner.name}-hello-${i}`;
      const result = await containerd.ctr(['run', '--rm', ...runner.image, id], {
        timeoutMs: 30_000,
      });
      if (result.code !== 0 || !runner.expected.test(result.stdout)) {
        await removeContainer(containerd, id);
        runner.failed =
          `ctr run --rm exited ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}` +
          `: ${(result.stderr || result.stdout).trim().slice(0, 300)}`;
        continue;
      }
      if (i > 0) times[runner.name].push(result.durationMs); // the first round warms caches
    }
  }
  console.log(`ctr run --rm hello, median of ${runs} (min - max):`);
  for (const runner of runners) {
    const all = times[runner.name];
    if (runner.failed) console.log(`  ${runner.name.padEnd(8)} failed: ${runner.failed}`);
    else
      console.log(
        `  ${runner.name.padEnd(8)} ${sec(median(all))}  (${sec(Math.min(...all))} - ${sec(Math.max(...all))})`,
      );
  }
  for (const runner of [tswasm, ...(spared ? [tswasmSpare] : [])]) {
    if (runner.failed || runc.failed) continue;
    const ratio = median(times[runner.name]) / median(times.runc);
    console.log(`  ${runner.name}/runc: ${ratio.toFixed(2)}x`);
  }
}

/** Starts `idle` sleepers of one kind; returns total RSS and PSS of their shims' trees. */
async function measureIdle(
  containerd: Containerd,
  runner: Runner,
): Promise<{ rss: number; pss: number; processes: number }> {
  const ids: string[] = [];
  const before = new Set(containerd.shimProcesses()); // e.g. shims left by a failed run
  try {
    for (let i = 0; i < idle; i++) {
      const id = `${runner.name}-idle-${i}`;
      ids.push(id);
      await containerd.ctrOk(['run', '-d', '--null-io', ...runner.sleeper, id], {
        timeoutMs: 30_000,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let start-up garbage settle
    const tasks = await containerd.tasks();
    const running = ids.filter((id) => tasks.get(id)?.status === 'RUNNING').length;
    if (running !== idle) throw new Error(`${runner.name}: only ${running} of ${idle} running`);
    const pids = new Set<number>();
    for (const shim of containerd.shimProcesses()) {
      if (!before.has(shim)) for (const pid of processTree(shim)) pids.add(pid);
    }
    let rss = 0;
    let pss = 0;
    for (const pid of pids) {
      rss += rssBytes(pid);
      pss += pssBytes(pid);
    }
    return { rss, pss, processes: pids.size };
  } finally {
    for (const id of ids) await removeContainer(containerd, id);
  }
}

async function removeContainer(containerd: Containerd, id: string): Promise<void> {
  if ((await containerd.tasks()).has(id)) {
    await containerd.ctr(['task', 'kill', '-s', 'SIGKILL', id], { timeoutMs: 10_000 });
    await containerd.waitForStatus(id, 'STOPPED', 10_000).catch(() => {});
    await containerd.ctr(['task', 'delete', '--force', id], { timeoutMs: 10_000 });
  }
  await containerd.ctr(['container', 'rm', id], { timeoutMs: 10_000 });
}

/** A second private containerd whose shims boot spare daemons (the harness passes our env on). */
async function startSpared(): Promise<Containerd> {
  process.env.TSWASM_SHIM_SPARE = '1';
  try {
    const spared = await Containerd.start();
    await importWasmImages(spared);
    return spared;
  } finally {
    delete process.env.TSWASM_SHIM_SPARE;
  }
}

async function main(): Promise<void> {
  const containerd = await Containerd.start();
  try {
    await importWasmImages(containerd);
    await importNativeImages(containerd);
    const spared = withSpare ? await startSpared() : undefined;
    try {
      await timeRuns(containerd, spared);
    } finally {
      await spared?.stop();
    }
    if (idle > 0) {
      const figures: Record<string, { rss: number; pss: number; processes: number }> = {};
      const failures: Record<string, string> = {};
      for (const runner of [runc, tswasm, tswasmGrouped]) {
        try {
          figures[runner.name] = await measureIdle(containerd, runner);
        } catch (err) {
          failures[runner.name] = (err as Error).message.split('\n').slice(0, 3).join(' ');
          runner.failed ??= failures[runner.name];
        }
      }
      console.log(`idle memory, ${idle} sleeping containers each (shims and their children):`);
      for (const runner of [tswasm, tswasmGrouped, runc]) {
        const f = figures[runner.name];
        if (!f) {
          console.log(`  ${runner.name.padEnd(8)} failed: ${failures[runner.name]}`);
          continue;
        }
        console.log(
          `  ${runner.name.padEnd(8)} RSS ${mb(f.rss)} total, ${mb(f.rss / idle)}/container;` +
            ` PSS ${mb(f.pss)} total, ${mb(f.pss / idle)}/container; ${f.processes} processes`,
        );
      }
      for (const runner of [tswasm, tswasmGrouped]) {
        const t = figures[runner.name];
        const r = figures.runc;
        if (!t || !r) continue;
        const ratio = (key: 'rss' | 'pss') => (t[key] / r[key]).toFixed(2);
        console.log(`  ${runner.name}/runc: RSS ${ratio('rss')}x, PSS ${ratio('pss')}x`);
      }
    }
  } finally {
    await containerd.stop();
  }
  if (tswasm.failed || runc.failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
