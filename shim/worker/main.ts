// The worker thread that hosts one container process: loads the Wasm module, gives it WASI
// over the container's rootfs and stdio, runs _start, and reports how it ended. The main
// thread pauses it in V8's debugger and stops it with worker.terminate(): nothing here polls.
import * as fs from 'fs';
import * as v8 from 'v8';
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import { loadEngine } from './engines';
import { gate, reportKind, SpareWorkerData, statSlot, WorkerJob, WorkerReport } from './protocol';
import { warmUp } from './warm-up';
import { WASI } from '../../wasi';
import { GuestTrap } from '../../wasi/errors';

/** Thrown to unwind a module that went past its memory limit (from the engine's grow, or a WASI call). */
class MemoryLimitExceeded extends Error {}

function report(message: WorkerReport, stats: Float64Array): void {
  if (message.kind === 'exit') stats[statSlot.exitCode] = message.code;
  stats[statSlot.endKind] = reportKind[message.kind];
  parentPort!.postMessage(message);
}

function writeAll(fd: number, text: string): void {
  if (fd < 0) return;
  try {
    fs.writeSync(fd, text);
  } catch {
    // the reader is gone; nothing else to tell
  }
}

function run(job: WorkerJob): WorkerReport {
  const engine = loadEngine(job.engine);
  const stats = new Float64Array(job.stats);
  // Stats has a figure from the first moment, and again once the module is compiled
  const sampleHeap = () => (stats[statSlot.heapUsed] = v8.getHeapStatistics().used_heap_size);
  sampleHeap();
  let overLimit = false;
  let limit: number | undefined;
  // the module ends right at the grow that went too far, as an OOM-killed process would
  const onExceeded = () => {
    overLimit = true;
    throw new MemoryLimitExceeded();
  };
  const stdout = job.stdout >= 0 ? job.stdout : fs.openSync('/dev/null', 'w');
  const stderr = job.stderr >= 0 ? job.stderr : fs.openSync('/dev/null', 'w');
  let memory: { readonly buffer: ArrayBuffer } | undefined;
  try {
    // compiled at Create, while containerd is still on its way to Start
    const module = new engine.WebAssembly.Module(fs.readFileSync(job.entryPath));
    sampleHeap();
    const startGate = new Int32Array(job.gate);
    Atomics.wait(startGate, 0, gate.closed);
    if (Atomics.load(startGate, 0) === gate.cancel) return { kind: 'stopped' };
    limit = stats[statSlot.memoryLimit] || undefined;
    engine.setMemoryLimit(limit, onExceeded);
    const stdin = job.stdin >= 0 ? job.stdin : fs.openSync('/dev/null', 'r');
    const wasi = new WASI({
      args: job.args,
      env: job.env,
      preopens: job.preopens,
      stdin,
      stdout,
      stderr,
    });
    let calls = 0;
    const sample = () => {
      // the JS heap moves slowly and costs more to read: every 1024th host call
      if ((++calls & 1023) === 0) sampleHeap();
      const bytes = memory?.buffer.byteLength ?? 0;
      stats[statSlot.linearMemory] = bytes;
      const wanted = stats[statSlot.memoryLimit] || undefined;
      if (wanted !== limit) {
        limit = wanted;
        engine.setMemoryLimit(limit, onExceeded);
      }
      if (!engine.limitsMemory && limit !== undefined && bytes > limit) {
        overLimit = true;
        throw new MemoryLimitExceeded();
      }
    };
    // keep the Stats figures fresh at each WASI call (cheap: one length read), and say which
    // call the module is in
    const imports: Record<string, unknown> = {};
    let hostCalls = 0;
    for (const [name, fn] of Object.entries(wasi.wasiImport)) {
      imports[name] = (...args: (number | bigint)[]) => {
        sample();
        stats[statSlot.hostCall] = ++hostCalls;
        try {
          return fn(...args);
        } finally {
          stats[statSlot.hostCall] = 0;
        }
      };
    }
    // the first time the module waits (poll_oneoff: sleep or wait for input), the engine's
    // compile-time garbage goes, rather than staying for the container's whole idle life; not
    // earlier, where a full GC would sit between Start and the module's first output
    // (gc is there when the daemon runs with --expose-gc)
    const gc = (globalThis as { gc?: () => void }).gc;
    const poll = imports.poll_oneoff as ((...args: never[]) => unknown) | undefined;
    if (gc !== undefined && poll !== undefined) {
      let collected = false;
      imports.poll_oneoff = (...args: never[]) => {
        if (!collected) {
          collected = true;
          gc();
          sampleHeap();
        }
        return poll(...args);
      };
    }
    const instance = new engine.WebAssembly.Instance(module, { wasi_snapshot_preview1: imports });
    const exported = instance.exports.memory;
    if (exported instanceof engine.WebAssembly.Memory) memory = exported;
    sampleHeap();
    sample();
    const code = wasi.start(instance);
    return { kind: 'exit', code };
  } catch (err) {
    if (overLimit || err instanceof MemoryLimitExceeded) {
      const message = `memory limit of ${limit} bytes exceeded`;
      writeAll(stderr, `tswasm: ${message}\n`);
      return { kind: 'oom', message };
    }
    if (err instanceof engine.WebAssembly.RuntimeError || err instanceof RangeError) {
      const trap = err as Error;
      // a trap: the container's stderr gets the message and the Wasm backtrace
      writeAll(stderr, `tswasm: wasm trap: ${trap.stack ?? trap.message}\n`);
      return { kind: 'trap', message: trap.message };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof GuestTrap) {
      // WASI stopped the module (proc_exit with a status from 126 up, which WASI reserves):
      // exit 1 with the reason, as wasmtime does; the module did run
      writeAll(stderr, `tswasm: ${job.args[0]}: ${message}\n`);
      return { kind: 'failed', message };
    }
    writeAll(stderr, `tswasm: cannot run ${job.args[0]}: ${message}\n`);
    return { kind: 'failed', message };
  } finally {
    stats[statSlot.linearMemory] = memory?.buffer.byteLength ?? 0;
  }
}

function runJob(job: WorkerJob): void {
  report(run(job), new Float64Array(job.stats));
}

// a spare worker (booted ahead, see prewarmWorker) warms its engine, then gets its job as its
// first message
const boot = workerData as WorkerJob | SpareWorkerData;
if ('spare' in boot) {
  // a job that is already waiting goes first: warming would only delay it
  const waiting = receiveMessageOnPort(parentPort as unknown as MessagePort);
  if (waiting !== undefined) runJob(waiting.message as WorkerJob);
  else {
    warmUp(loadEngine(boot.engine));
    parentPort!.once('message', runJob);
  }
} else runJob(boot);
