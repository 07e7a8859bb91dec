// Warms a pre-booted worker's engine before its job arrives: a new worker is a new V8 isolate,
// so the engine's decoder, validator, code generator and WASI functions are compiled lazily
// at their first use, on the container's path. Compiling and running a tiny module that
// writes to /dev/null does that ahead (a cold hello world takes ~30 ms to compile, instantiate
// and run; a warmed one a few).
import * as fs from 'fs';
import type { Engine } from './engine';
import { WASI } from '../../wasi';

/**
 * (module
 *   (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 8) "\10\00\00\00\01\00\00\00x")    ;; one iovec {buf 16, len 1}: "x"
 *   (func (export "_start") (local i32)
 *     (loop
 *       (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))
 *       (local.set 0 (i32.add (local.get 0) (i32.const 1)))
 *       (br_if 0 (i32.lt_u (local.get 0) (i32.const 2))))))
 */
const warmModuleHex =
  '0061736d01000000010c0260047f7f7f7f017f60000002230116776173695f736e617073686f745f70726576' +
  '696577310866645f77726974650000030201010503010001071302066d656d6f72790200065f737461727400' +
  '010a22012001017f0340410141084101410010001a200041016a210020004102490d000b0b0b0f0100410' +
  '80b09100000000100000078';

/** The warm-up module's bytes. */
export function warmModule(): Uint8Array {
  return Buffer.from(warmModuleHex, 'hex');
}

/** Runs the warm-up module on `engine`; never throws (a failed warm-up only means a cold job). */
export function warmUp(engine: Engine): void {
  let devNull = -1;
  try {
    devNull = fs.openSync('/dev/null', 'w');
    const module = new engine.WebAssembly.Module(warmModule());
    const wasi = new WASI({
      args: ['warm-up'],
      env: {},
      preopens: {},
      stdin: devNull,
      stdout: devNull,
      stderr: devNull,
    });
    const instance = new engine.WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    wasi.start(instance);
  } catch {
    // nothing to warm then
  } finally {
    if (devNull >= 0) fs.closeSync(devNull);
  }
}
