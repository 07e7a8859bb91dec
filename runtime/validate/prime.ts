// Primes the body validator once per process, before its first real module: validates a small
// synthetic module whose one body takes every inline fast path of the main loop (and the
// plain path) and grows every stack. V8 optimises the main loop after a few thousand
// instructions; any fast path first taken after that (an unseen block type, a first call_indirect)
// or a stack first growing (a field first reassigned) throws the optimised code away, and each
// recompilation of the loop costs tens of milliseconds at start-up. Priming costs well under
// a millisecond.
import { FunctionBody, ValType, WasmModule } from '../model';

const i32 = ValType.i32;
const i64 = ValType.i64;
const f32 = ValType.f32;
const f64 = ValType.f64;

/**
 * How many functions share the priming body: V8 gives a function type feedback only after it
 * has been called several times (8 in Node 20), so one validation would teach it nothing.
 */
const COPIES = 12;

/** More than the validator's initial capacities: 8 frames, 16 operands, 8 locals. */
const DEEP = 10;
const TALL = 20;
const MANY_LOCALS = 10;

/** The body of function 0, of type (i32) -> i32 (locals: MANY_LOCALS i32, i64, f32, f64). */
function primingBody(): number[] {
  const i64Local = MANY_LOCALS + 1;
  const padded0 = [0x80, 0x80, 0x80, 0x80, 0x00]; // index 0 as toolchains pad relocations
  const code: number[] = [
    // variables, one- and five-byte indices
    ...[0x20, 0, 0x21, 1, 0x20, 1, 0x22, 2, 0x1a],
    ...[
      0x20,
      ...padded0,
      0x21,
      ...padded0,
      0x20,
      i64Local,
      0x1a,
      0x20,
      i64Local + 1,
      0x20,
      i64Local + 2,
      0x1a,
      0x1a,
    ],
    // constants and numeric instructions of each shape
    ...[0x41, 1, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x6a, 0x45, 0x1a],
    ...[0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x6b, 0x1a],
    ...[0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x1a],
    ...[0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a],
    ...[0x42, 1, 0x42, 0x80, 0x80, 0x04, 0x7c, 0x50, 0x1a, 0x42, 2, 0x42, 3, 0x51, 0x1a],
    ...[0x43, 0, 0, 0, 0, 0x8c, 0x1a, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x9a, 0x1a],
    // loads and stores, short and long offsets
    ...[0x41, 0, 0x28, 2, 0, 0x1a, 0x41, 0, 0x29, 3, 0x80, 0x01, 0x1a],
    ...[0x41, 0, 0x2d, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a],
    ...[0x41, 0, 0x41, 0, 0x36, 2, 0, 0x41, 0, 0x42, 0, 0x37, 3, 0x90, 0x4e],
    // blocks, loops and ifs with empty and single results, branches
    ...[0x02, 0x40, 0x0b, 0x02, 0x7f, 0x41, 0, 0x0b, 0x1a, 0x03, 0x40, 0x0b],
    ...[0x03, 0x7e, 0x42, 0, 0x0b, 0x1a],
    ...[0x41, 0, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0b, 0x41, 0, 0x04, 0x40, 0x0b],
    ...[0x41, 0, 0x04, 0x7f, 0x41, 1, 0x05, 0x41, 2, 0x0b, 0x1a],
    ...[0x02, 0x40, 0x41, 0, 0x0d, 0, 0x0c, 0, 0x0b],
    ...[0x03, 0x40, 0x41, 0, 0x0d, 0, 0x0c, 0, 0x0b],
    ...[0x02, 0x7f, 0x41, 1, 0x41, 0, 0x0d, 0, 0x0b, 0x1a],
    ...[0x02, 0x7f, 0x41, 1, 0x0c, 0, 0x0b, 0x1a, 0x02, 0x40, 0x20, 0, 0x0f, 0x0b],
    // calls, direct (short and padded index) and indirect
    ...[0x20, 0, 0x10, 0, 0x1a, 0x20, 0, 0x10, ...padded0, 0x1a, 0x10, COPIES],
    ...[0x20, 0, 0x41, 0, 0x11, 0, 0, 0x1a],
    // globals, select, drop, nop
    ...[0x23, 0, 0x24, 0, 0x23, ...padded0, 0x24, ...padded0],
    ...[0x41, 1, 0x41, 2, 0x41, 0, 0x1b, 0x1a, 0x01],
    // the plain path: br_table, unreachable code
    ...[0x02, 0x40, 0x41, 0, 0x0e, 1, 0, 0, 0x0b, 0x02, 0x40, 0x00, 0x6a, 0x1a, 0x0b],
  ];
  // a nest deeper than the initial control stack, an operand stack taller than the initial one
  for (let i = 0; i < DEEP; i++) code.push(0x02, 0x40);
  for (let i = 0; i < DEEP; i++) code.push(0x0b);
  for (let i = 0; i < TALL; i++) code.push(0x41, 0);
  for (let i = 0; i < TALL; i++) code.push(0x1a);
  code.push(0x20, 0, 0x0b);
  return code;
}

/**
 * The synthetic module: functions 0 to COPIES - 1, of type (i32) -> i32, share the priming
 * body; function COPIES, of type () -> (), is empty.
 */
export function primingModule(): WasmModule {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const globalInit = [0x41, 0, 0x0b];
  const emptyBody = [0x0b];
  const body = primingBody();
  const bytes = Uint8Array.from([...header, ...globalInit, ...emptyBody, ...body]);
  const globalStart = header.length;
  const emptyStart = globalStart + globalInit.length;
  const bodyStart = emptyStart + emptyBody.length;
  const priming: FunctionBody = {
    locals: [
      { count: MANY_LOCALS, type: i32 },
      { count: 1, type: i64 },
      { count: 1, type: f32 },
      { count: 1, type: f64 },
    ],
    start: bodyStart,
    end: bytes.length,
  };
  const codes: FunctionBody[] = new Array<FunctionBody>(COPIES).fill(priming);
  codes.push({ locals: [], start: emptyStart, end: bodyStart });
  return {
    bytes,
    types: [
      { params: [i32], results: [i32] },
      { params: [], results: [] },
    ],
    imports: [],
    funcs: [...new Array<number>(COPIES).fill(0), 1],
    tables: [{ elemType: ValType.funcref, limits: { min: 1, max: undefined } }],
    memories: [{ limits: { min: 1, max: undefined } }],
    globals: [
      {
        type: { valType: i32, mutable: true },
        init: { start: globalStart, end: globalStart + globalInit.length },
      },
    ],
    exports: [],
    start: undefined,
    elems: [],
    datas: [],
    dataCount: undefined,
    codes,
    customs: [],
    names: { module: undefined, functions: new Map(), locals: new Map() },
  };
}
