// Worker side of the interrupt test: runs rt_busy.wasm's endless loop with the interrupt flag
// from workerData and reports how it ended. `ticks[0]` counts loop iterations.
import { parentPort, workerData } from 'worker_threads';
import * as fs from 'fs';
import { Instance, Interrupted, Module, setInterruptFlag } from '../index';

const { wasmPath, flag, ticks } = workerData as {
  wasmPath: string;
  flag: Int32Array;
  ticks: Int32Array;
};
setInterruptFlag(flag);
const compiled = new Module(fs.readFileSync(wasmPath));
const instance = new Instance(compiled, { env: { tick: () => Atomics.add(ticks, 0, 1) } });
parentPort!.postMessage('started');
try {
  (instance.exports.run as () => void)();
  parentPort!.postMessage('returned');
} catch (e) {
  parentPort!.postMessage(e instanceof Interrupted ? 'interrupted' : `threw ${String(e)}`);
}
