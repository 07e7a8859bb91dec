// The `spectest` host module the scripts import from, as the reference interpreter defines it
// (interpreter/host/spectest.ml): four immutable globals holding 666 / 666.6, a funcref table
// of 10..20 elements, a memory of 1..2 pages, and print functions. The print functions are
// Wasm functions with the reference's exact types (and empty bodies), so that importing one
// with another signature fails to link as it does in the reference interpreter; a plain JS
// function would link with any signature.
import type { WasmApi } from './engine-api';
import type { WastType } from './script';
import { MAGIC_AND_VERSION, funcType, section, str, uleb, vec } from './wasm-bytes';

const PRINT_FUNCTIONS: [name: string, params: WastType[]][] = [
  ['print', []],
  ['print_i32', ['i32']],
  ['print_i64', ['i64']],
  ['print_f32', ['f32']],
  ['print_f64', ['f64']],
  ['print_i32_f32', ['i32', 'f32']],
  ['print_f64_f64', ['f64', 'f64']],
];

function printModuleBytes(): Uint8Array {
  const emptyBody = [0x02, 0x00, 0x0b]; // size 2: no locals, end
  return new Uint8Array([
    ...MAGIC_AND_VERSION,
    ...section(1, vec(PRINT_FUNCTIONS.map(([, params]) => funcType(params, [])))),
    ...section(3, vec(PRINT_FUNCTIONS.map((_, i) => uleb(i)))),
    ...section(7, vec(PRINT_FUNCTIONS.map(([name], i) => [...str(name), 0x00, ...uleb(i)]))),
    ...section(10, vec(PRINT_FUNCTIONS.map(() => emptyBody))),
  ]);
}

/** A fresh spectest module (each script gets its own, so no state leaks between files). */
export function spectestModule(api: WasmApi): Record<string, unknown> {
  const prints = new api.Instance(new api.Module(printModuleBytes())).exports;
  return {
    ...prints,
    global_i32: new api.Global({ value: 'i32' }, 666),
    global_i64: new api.Global({ value: 'i64' }, 666n),
    global_f32: new api.Global({ value: 'f32' }, 666.6),
    global_f64: new api.Global({ value: 'f64' }, 666.6),
    table: new api.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
    memory: new api.Memory({ initial: 1, maximum: 2 }),
  };
}
