// WASI benches, each against Node's built-in `node:wasi` in the same run:
// 1. start-up: time from exec to exit of `tswasm-shim run wasi_hello.wasm` (on tswasm's engine,
//    and on V8 through the same CLI) against `node` running the same module through node:wasi,
//    alternating, median of N runs each;
// 2. call throughput: fixtures/bench_wasi_io.c (small writes, seeks, reads, stats, clock reads
//    on a preopened directory) in this process on V8 with tswasm's WASI and with node:wasi,
//    best of 5, same checksum required.
// Usage: node dist/bench/wasi/run.js [--runs N]   (`npm run bench -- wasi`)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WASI as NodeWASI } from 'wasi';
import { WASI } from '../../wasi';

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

interface WasiHost {
  getImportObject(): object;
  start(instance: object): number;
}

interface V8Api {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
}

/** Runs bench_wasi_io once under `makeHost`; returns [ms, stdout]. */
function timeIo(
  makeHost: (dir: string, stdout: number) => WasiHost,
  compiled: object,
): [number, string] {
  const { Instance } = (globalThis as unknown as { WebAssembly: V8Api }).WebAssembly;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-bench-io-'));
  const outPath = path.join(dir, 'stdout');
  const stdout = fs.openSync(outPath, 'w');
  try {
    const host = makeHost(dir, stdout);
    const started = process.hrtime.bigint();
    const code = host.start(new Instance(compiled, host.getImportObject()));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) throw new Error(`bench_wasi_io exited ${code}`);
    return [ms, fs.readFileSync(outPath, 'utf8')];
  } finally {
    fs.closeSync(stdout);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function callThroughput(): void {
  const file = path.join(repo, 'build', 'fixtures', 'bench_wasi_io.wasm');
  const rounds = 20000;
  const { Module } = (globalThis as unknown as { WebAssembly: V8Api }).WebAssembly;
  const compiled = new Module(fs.readFileSync(file));
  const args = ['bench_wasi_io', String(rounds)];
  const hosts: [string, (dir: string, stdout: number) => WasiHost][] = [
    ['tswasm WASI', (dir, stdout) => new WASI({ args, preopens: { '/work': dir }, stdout })],
    [
      'node:wasi',
      (dir, stdout) =>
        new NodeWASI({ version: 'preview1', args, preopens: { '/work': dir }, stdout }) as WasiHost,
    ],
  ];
  const best = new Map<string, number>();
  const outputs = new Set<string>();
  for (let rep = 0; rep < 5; rep++) {
    for (const [name, make] of hosts) {
      const [ms, out] = timeIo(make, compiled);
      outputs.add(out);
      best.set(name, Math.min(best.get(name) ?? Infinity, ms));
    }
  }
  if (outputs.size !== 1) throw new Error(`hosts disagree: ${[...outputs].join(' / ')}`);
  const calls = rounds * 4.1; // writes + seeks + reads + clock reads, + stats / 10
  const baseline = best.get('node:wasi') ?? NaN;
  console.log(
    `WASI call throughput on V8 (${path.basename(file)}, ~${Math.round(calls)} calls), best of 5:`,
  );
  for (const [name, ms] of best) {
    console.log(
      `  ${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  ${((ms * 1e6) / calls).toFixed(0).padStart(5)} ns/call  ${(ms / baseline).toFixed(2)}x node:wasi`,
    );
  }
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
  callThroughput();
}

main();
