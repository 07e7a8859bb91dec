// Start-up bench: time from exec to exit of `tswasm-shim run wasi_hello.wasm` (on tswasm's
// engine, and on V8 through the same CLI) against `node` running the same module through
// Node's built-in `node:wasi`, all in the same run, alternating, median of N runs each.
// Usage: node dist/bench/wasi/run.js [--runs N]   (`npm run bench -- wasi`)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');
const wasmFile = path.join(repo, 'build', 'fixtures', 'wasi_hello.wasm');
const cli = path.join(repo, 'bin', 'tswasm-shim');

/** The peer: node:wasi running the module, as a Node user would. */
const nodeWasiScript = `
const { WASI } = require('node:wasi');
const fs = require('fs');
const wasi = new WASI({ version: 'preview1', args: ['hello'], env: {} });
const compiled = new WebAssembly.Module(fs.readFileSync(process.argv[1]));
const instance = new WebAssembly.Instance(compiled, wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

interface Peer {
  name: string;
  command: string;
  args: string[];
}

const peers: Peer[] = [
  {
    name: 'tswasm-shim run (tswasm engine)',
    command: cli,
    args: ['run', '--engine', 'tswasm', wasmFile],
  },
  { name: 'tswasm-shim run (V8 engine)', command: cli, args: ['run', '--engine', 'v8', wasmFile] },
  {
    name: 'node + node:wasi',
    command: process.execPath,
    args: ['--no-warnings', '-e', nodeWasiScript, wasmFile],
  },
];

function timeOnce(peer: Peer): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(peer.command, peer.args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 || result.stdout !== 'hello from wasm\n') {
    throw new Error(
      `${peer.name} failed (status ${result.status}): ${result.stdout}${result.stderr}`,
    );
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;
  if (!fs.existsSync(wasmFile)) throw new Error(`${wasmFile} is missing: run npm run build`);
  const active = peers.filter((peer) => {
    try {
      timeOnce(peer); // warm-up (file cache); also drops peers that cannot run (no tswasm yet)
      return true;
    } catch (error) {
      console.log(`skipped ${peer.name}: ${(error as Error).message.split('\n')[0]}`);
      return false;
    }
  });
  const times = new Map<Peer, number[]>(active.map((peer) => [peer, []]));
  for (let i = 0; i < runs; i++) for (const peer of active) times.get(peer)?.push(timeOnce(peer));
  const baseline = median(times.get(peers[2]) ?? [NaN]);
  console.log(
    `start-up, exec to exit of a WASI hello world (${path.basename(wasmFile)}), median of ${runs}:`,
  );
  for (const peer of active) {
    const ms = median(times.get(peer) ?? []);
    const min = Math.min(...(times.get(peer) ?? []));
    console.log(
      `  ${peer.name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  (min ${min.toFixed(1)})  ${(ms / baseline).toFixed(2)}x node:wasi`,
    );
  }
}

main();
