// Where a tswasm `ctr run --rm` spends its time: one private containerd at debug level, RUNS
// runs of the hello image, and for each milestone of containerd's log (and the shim's lines it
// copies from the log FIFO) the median time after `ctr` started, in ms. The first run is not
// counted (it writes the daemon's code cache).
// Usage: node dist/bench/shim/timeline.js   Env: TSWASM_BENCH_RUNS (default 7)
import * as fs from 'fs';
import { Containerd, importWasmImages, tswasmRuntime, wasmImage } from '../../integration/harness';

const runs = Number(process.env.TSWASM_BENCH_RUNS ?? 7);

/** Milestones in the order they happen: a name, and what the log line's msg starts with. */
const milestones: [string, RegExp][] = [
  ['snapshot mounted (start runs next)', /^get snapshot mounts/],
  ['daemon listening', /^serving /],
  ['Create', /^Create /],
  ['Start', /^Start /],
  ['module exited', / exited with /],
  ['Delete', /^Delete /],
  ['Shutdown', /^Shutdown /],
  ['delete binary runs', /^cleaning up dead shim/],
  ['snapshot removed', /^remove snapshot/],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function main(): Promise<void> {
  const containerd = await Containerd.start({ logLevel: 'debug' });
  const seen: Record<string, number[]> = {};
  const totals: number[] = [];
  try {
    await importWasmImages(containerd);
    for (let i = 0; i <= runs; i++) {
      const logStart = fs.statSync(containerd.logFile).size;
      const t0 = Date.now();
      const result = await containerd.ctrOk([
        'run',
        '--rm',
        '--runtime',
        tswasmRuntime,
        wasmImage('hello'),
        `timeline-${i}`,
      ]);
      const total = Date.now() - t0;
      if (i === 0) continue;
      totals.push(total);
      if (!/Hello/.test(result.stdout)) throw new Error(`unexpected output: ${result.stdout}`);
      const log = fs.readFileSync(containerd.logFile, 'utf8').slice(logStart);
      const found = new Set<string>();
      for (const line of log.split('\n')) {
        const match = /time="([^"]+)".*?msg="([^"]*)/.exec(line);
        if (!match) continue;
        for (const [name, pattern] of milestones) {
          if (found.has(name) || !pattern.test(match[2])) continue;
          found.add(name);
          (seen[name] ??= []).push(Date.parse(match[1]) - t0);
        }
      }
    }
  } finally {
    await containerd.stop();
  }
  console.log(`ctr run --rm hello through tswasm, median ms after ctr started (${runs} runs):`);
  for (const [name] of milestones) {
    const values = seen[name] ?? [];
    // e.g. a claimed spare (TSWASM_SHIM_SPARE=1) logs no "serving" line to the container
    const some =
      values.length < totals.length ? ` (in ${values.length} of ${totals.length} runs)` : '';
    console.log(`  ${(values.length ? String(median(values)) : '-').padStart(5)}  ${name}${some}`);
  }
  console.log(`  ${String(median(totals)).padStart(5)}  ctr exits`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
