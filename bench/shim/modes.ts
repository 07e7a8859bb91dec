// Wall time of each thing containerd runs the shim binary for, as containerd runs it (flags,
// bundle as working directory, options on stdin), with no containerd: `start` of a container
// whose daemon does not exist yet (until it listens, which is when start returns), `delete`
// after the daemon is gone, and `--help` (Node plus the start/delete bundle). Each through the
// sh launcher (bin/containerd-shim-tswasm-v1) and through Node alone (TSWASM_SHIM_LAUNCHER=node),
// beside `node -e 0` and `sh -c true`. Median and min of RUNS (default 21); each daemon is shut
// down between starts.
// Usage: node dist/bench/shim/modes.js   Env: TSWASM_BENCH_RUNS (default 21)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pb from '../../proto';
import { TtrpcClient } from '../../shim/ttrpc';

const runs = Number(process.env.TSWASM_BENCH_RUNS ?? 21);
const repo = path.resolve(__dirname, '../../..');
const shim = path.join(repo, 'bin', 'containerd-shim-tswasm-v1');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-modes-'));
const env = { ...process.env, TSWASM_SOCKET_DIR: path.join(root, 's'), TTRPC_ADDRESS: '' };

function timed(command: string, args: string[], cwd: string, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...env, ...extraEnv },
    input: 'options',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  }
  return { ms, stdout: result.stdout };
}

async function shutdown(address: string): Promise<void> {
  const socket = address.replace(/^unix:\/\//, '');
  const client = await TtrpcClient.connect(socket);
  await client
    .call('containerd.task.v2.Task', 'Shutdown', pb.ShutdownRequest.encode({ id: 'x' }))
    .catch(() => {});
  await client.close();
  while (fs.existsSync(socket)) await new Promise((resolve) => setTimeout(resolve, 5));
}

function report(name: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  console.log(
    `  ${name.padEnd(37)} median ${median.toFixed(1).padStart(6)} ms   min ${sorted[0].toFixed(1).padStart(6)} ms`,
  );
}

async function main(): Promise<void> {
  const launchers = { sh: {}, node: { TSWASM_SHIM_LAUNCHER: 'node' } };
  const times: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (times[name] ??= []).push(ms);
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(bundle);
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ annotations: {} }));
  // one round first, not counted: it writes the daemon's code cache
  for (let i = 0; i <= runs; i++) {
    for (const [name, launcherEnv] of Object.entries(launchers)) {
      const id = `c${i}-${name}`;
      const start = timed(
        shim,
        ['-namespace', 'ns', '-address', '/run/bench.sock', '-id', id, 'start'],
        bundle,
        launcherEnv,
      );
      await shutdown(start.stdout.toString());
      const del = timed(
        shim,
        ['-namespace', 'ns', '-address', '/run/bench.sock', '-id', id, '-bundle', bundle, 'delete'],
        bundle,
        launcherEnv,
      );
      if (i === 0) continue;
      add(`start (${name}, daemon to listening)`, start.ms);
      add(`delete (${name})`, del.ms);
    }
    if (i === 0) continue;
    add('--help (Node, start/delete bundle)', timed(shim, ['--help'], bundle).ms);
    add('node -e 0', timed(process.execPath, ['-e', '0'], bundle).ms);
    add(
      'node -e 0, NODE_EXTRA_CA_CERTS unset',
      timed(process.execPath, ['-e', '0'], bundle, {
        NODE_EXTRA_CA_CERTS: '',
      }).ms,
    );
    add('sh -c true', timed('/bin/sh', ['-c', 'true'], bundle).ms);
  }
  console.log(`shim binary, wall time of ${runs} runs each:`);
  for (const [name, values] of Object.entries(times)) report(name, values);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(root, { recursive: true, force: true }));
