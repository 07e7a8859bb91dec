// Validation of one function body: the operand-stack and control-stack algorithm of the spec's
// validation appendix, run in a single pass over the body's bytes. Unreachable code is handled
// with the polymorphic stack (popping past an unreachable frame's height yields the unknown
// type, 0). Regular instructions are typed from the tables in optable.ts; the 0xFC and 0xFD
// prefixes are dispatched to misc.ts and simd.ts. One instance is reused for all bodies of a
// module so validation allocates nothing per instruction.
//
// Speed: the main loop (`run`) keeps the position, the stack pointer and the current frame's
// height in locals and validates the common instructions inline (variables, constants,
// numeric and memory instructions, blocks, branches, calls). An inline fast path only ever
// commits when the instruction is valid; anything else (a type mismatch, an unreachable
// frame's polymorphic stack, a long immediate, a rare instruction) re-reads the instruction
// with `step`, the plain spec-shaped code, which produces every error message.
import { FunctionBody, FuncType, GlobalType, ValType } from '../model';
import { BinaryReader, DecodeError } from '../binary/reader';
import { ModuleContext, failInFunction, isRefType, typeListName, typeName } from './context';
import { MemorySignature, Signature, memoryOps, numericOps } from './optable';
import { validateMiscInstruction } from './misc';
import { validateSimdInstruction } from './simd';
import { ValidationError } from './errors';
import { opcodes } from '../opcodes';
import { readOpcode } from '../binary/instructions';
import { missingEndReason, scanBody } from './scan';

/** The type of a value popped from the polymorphic stack of unreachable code. */
export const UNKNOWN = 0;

const enum FrameKind {
  Block,
  Loop,
  If,
  Else,
  Function,
}

const EMPTY: readonly ValType[] = [];
/**
 * The result list of the single-value block types, by type byte: a dense table (every byte has
 * an entry) so the main loop's lookup stays a fast element load.
 */
const singleResult: (readonly ValType[] | undefined)[] = new Array(256).fill(undefined);
for (const t of Object.values(ValType)) if (typeof t === 'number') singleResult[t] = [t];

/** 1 for the reference types, by type byte (select without a type refuses them). */
const isRef = new Uint8Array(256);
isRef[ValType.funcref] = 1;
isRef[ValType.externref] = 1;

// The typing tables flattened into typed arrays for the main loop: one load per fact.
/** How the main loop dispatches each single-byte opcode: what kind of fast path it has. */
const enum OpClass {
  /** No fast path: always validated by `step`. */
  Other,
  Nop,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  Return,
  Call,
  CallIndirect,
  Drop,
  Select,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  /** [i32 i32] -> [i32], the most common numeric type. */
  I32Binary,
  /** [t t] -> [r], t and r from numParam and numResult. */
  Binary,
  /** [t] -> [r]. */
  Unary,
  Load,
  Store,
}
const opClass = new Uint8Array(256);
const fixedClasses: [number, OpClass][] = [
  [0x01, OpClass.Nop],
  [0x02, OpClass.Block],
  [0x03, OpClass.Loop],
  [0x04, OpClass.If],
  [0x05, OpClass.Else],
  [0x0b, OpClass.End],
  [0x0c, OpClass.Br],
  [0x0d, OpClass.BrIf],
  [0x0f, OpClass.Return],
  [0x10, OpClass.Call],
  [0x11, OpClass.CallIndirect],
  [0x1a, OpClass.Drop],
  [0x1b, OpClass.Select],
  [0x20, OpClass.LocalGet],
  [0x21, OpClass.LocalSet],
  [0x22, OpClass.LocalTee],
  [0x23, OpClass.GlobalGet],
  [0x24, OpClass.GlobalSet],
  [0x41, OpClass.I32Const],
  [0x42, OpClass.I64Const],
  [0x43, OpClass.F32Const],
  [0x44, OpClass.F64Const],
];
for (const [op, c] of fixedClasses) opClass[op] = c;
/** Numeric instructions: the type of every operand (all operands share one type). */
const numParam = new Uint8Array(256);
/** Numeric instructions: the result type. */
const numResult = new Uint8Array(256);
/** Loads: the result type; stores: the stored value's type. */
const memType = new Uint8Array(256);
/** Loads and stores: log2 of the natural alignment. */
const memAlign = new Uint8Array(256);
for (let op = 0; op < 256; op++) {
  const n = numericOps[op];
  if (n !== undefined && n.result !== undefined && n.params.every((t) => t === n.params[0])) {
    const p = n.params[0];
    if (n.params.length === 1) opClass[op] = OpClass.Unary;
    else if (n.params.length === 2) {
      opClass[op] =
        p === ValType.i32 && n.result === ValType.i32 ? OpClass.I32Binary : OpClass.Binary;
    }
    numParam[op] = p;
    numResult[op] = n.result;
  }
  const m = memoryOps[op];
  if (m !== undefined && m.params[0] === ValType.i32) {
    if (m.params.length === 1 && m.result !== undefined) {
      opClass[op] = OpClass.Load;
      memType[op] = m.result;
    } else if (m.params.length === 2 && m.result === undefined) {
      opClass[op] = OpClass.Store;
      memType[op] = m.params[1];
    }
    memAlign[op] = m.naturalAlign;
  }
}

/**
 * End of a well-formed signed LEB128 of at most 32 bits starting at `p`, or -1 when it is
 * malformed or runs past `end` (the caller then lets the reader report why).
 */
function skipS32(bytes: Uint8Array, p: number, end: number): number {
  const last = p + 4;
  for (; p < last; p++) {
    if (p >= end) return -1;
    if (bytes[p] < 0x80) return p + 1;
  }
  if (p >= end) return -1;
  const b = bytes[p];
  if ((b & 0x80) !== 0) return -1;
  const rest = b & 0x70;
  if ((b & 0x08) === 0 ? rest !== 0 : rest !== 0x70) return -1;
  return p + 1;
}

/**
 * Where the last readU32 stopped: a one-slot register (no allocation per read; a typed array
 * rather than a module-level `let`, whose every read from a function pays a TDZ check).
 */
const lebEnd = new Int32Array(1);

/**
 * The value of a well-formed unsigned LEB128 of at most 32 bits at `p`, its end in `lebEnd[0]`;
 * -1 when it is malformed or runs past `end`. Toolchains pad relocated indices (calls,
 * globals, type indices) to five bytes, so every length is read here, not only one byte.
 */
function readU32(bytes: Uint8Array, p: number, end: number): number {
  let result = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) return -1;
    const b = bytes[p++];
    result |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lebEnd[0] = p;
      return result;
    }
  }
  if (p >= end) return -1;
  const b = bytes[p++];
  if ((b & 0xf0) !== 0) return -1;
  lebEnd[0] = p;
  return result + b * 0x10000000;
}

/** End of a well-formed signed LEB128 of at most 64 bits starting at `p`, or -1. */
function skipS64(bytes: Uint8Array, p: number, end: number): number {
  const last = p + 9;
  for (; p < last; p++) {
    if (p >= end) return -1;
    if (bytes[p] < 0x80) return p + 1;
  }
  if (p >= end) return -1;
  const b = bytes[p];
  if ((b & 0x80) !== 0) return -1;
  const rest = b & 0x7e;
  if ((b & 0x01) === 0 ? rest !== 0 : rest !== 0x7e) return -1;
  return p + 1;
}

/** End of a well-formed unsigned LEB128 of at most 32 bits starting at `p`, or -1. */
function skipU32(bytes: Uint8Array, p: number, end: number): number {
  const last = p + 4;
  for (; p < last; p++) {
    if (p >= end) return -1;
    if (bytes[p] < 0x80) return p + 1;
  }
  if (p >= end) return -1;
  return (bytes[p] & 0xf0) === 0 ? p + 1 : -1;
}

/** Largest local count stored as a flat type array; beyond it locals are looked up by group. */
const FLAT_LOCALS_LIMIT = 1 << 20;

export class BodyValidator {
  // Initial capacities are small so that prime.ts can grow every stack cheaply; they double.
  /** The operand stack: value types by their binary encoding, UNKNOWN for bottom. */
  private vals: Uint8Array = new Uint8Array(16);
  private sp = 0;
  // The control stack, one typed array (or reference array) per frame field.
  private frameKind = new Uint8Array(8);
  /** Operand stack height at entry (below the block's parameters). */
  private frameHeight = new Int32Array(8);
  private frameUnreachable = new Uint8Array(8);
  private frameParams: (readonly ValType[])[] = new Array<readonly ValType[]>(8).fill(EMPTY);
  private frameResults: (readonly ValType[])[] = new Array<readonly ValType[]>(8).fill(EMPTY);
  private depth = 0;
  private localTypes = new Uint8Array(8);
  private localCount = 0;
  /** Locals below this index are read inline from localTypes (0 when looked up by group). */
  private flatLocalCount = 0;
  /** Group boundaries for bodies with more than FLAT_LOCALS_LIMIT locals. */
  private localGroupEnds: number[] = [];
  private localGroupTypes: ValType[] = [];
  private funcType: FuncType = { params: [], results: [] };
  private funcIndex = 0;
  /** Offset of the instruction being validated (for error messages). */
  at = 0;
  r: BinaryReader;
  private readonly bytes: Uint8Array;
  private readonly funcs: readonly FuncType[];
  private readonly globals: readonly GlobalType[];
  private readonly hasMemory: boolean;
  /** Block type read by readBlockType. */
  private blockParams: readonly ValType[] = EMPTY;
  private blockResults: readonly ValType[] = EMPTY;

  constructor(readonly ctx: ModuleContext) {
    this.r = new BinaryReader(ctx.module.bytes);
    this.bytes = ctx.module.bytes;
    this.funcs = ctx.funcs;
    this.globals = ctx.globals;
    this.hasMemory = ctx.memoryCount > 0;
  }

  /** Validates the body of function `funcIndex` (imports included in the index). */
  validate(funcIndex: number, body: FunctionBody): void {
    this.funcIndex = funcIndex;
    this.funcType = this.ctx.funcs[funcIndex];
    this.at = body.start;
    try {
      this.setUpLocals(body);
      this.run(body);
    } catch (e) {
      let error = e;
      // Malformed encodings take precedence over validation errors (the spec decodes first).
      if (e instanceof ValidationError) {
        try {
          scanBody(this.bytes, body);
        } catch (malformed) {
          error = malformed;
        }
      }
      if (error instanceof DecodeError && !error.message.includes('(function ')) {
        const name = this.ctx.module.names.functions.get(funcIndex);
        const where = name === undefined ? `${funcIndex}` : `${funcIndex} ${JSON.stringify(name)}`;
        throw new DecodeError(
          `${error.message} (function ${where}, at byte 0x${error.offset.toString(16)})`,
          error.offset,
        );
      }
      throw error;
    }
  }

  private setUpLocals(body: FunctionBody): void {
    const params = this.funcType.params;
    const groups = body.locals;
    let total = params.length;
    for (let g = 0; g < groups.length; g++) total += groups[g].count;
    if (total > 0xffffffff) throw new DecodeError('too many locals', body.start);
    this.localCount = total;
    if (total <= FLAT_LOCALS_LIMIT) {
      if (this.localTypes.length < total) this.localTypes = new Uint8Array(total * 2);
      const types = this.localTypes;
      let i = 0;
      for (; i < params.length; i++) types[i] = params[i];
      for (let g = 0; g < groups.length; g++) {
        const count = groups[g].count;
        const type = groups[g].type;
        if (count === 1) types[i] = type;
        else types.fill(type, i, i + count);
        i += count;
      }
      if (this.localGroupEnds.length !== 0) this.localGroupEnds = [];
      this.flatLocalCount = total;
    } else {
      const ends: number[] = [];
      const types: ValType[] = [];
      let i = 0;
      for (const p of params) {
        ends.push(++i);
        types.push(p);
      }
      for (const group of groups) {
        if (group.count === 0) continue;
        i += group.count;
        ends.push(i);
        types.push(group.type);
      }
      this.localGroupEnds = ends;
      this.localGroupTypes = types;
      this.flatLocalCount = 0;
    }
  }

  private localType(index: number): ValType {
    if (index >= this.localCount) this.fail(`unknown local ${index}`);
    if (this.localGroupEnds.length === 0) return this.localTypes[index] as ValType;
    const ends = this.localGroupEnds;
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > index) hi = mid;
      else lo = mid + 1;
    }
    return this.localGroupTypes[lo];
  }

  // ---- errors ----

  fail(reason: string): never {
    failInFunction(
      this.ctx,
      this.funcIndex,
      this.at,
      reason,
      instructionNameAt(this.bytes, this.at),
    );
  }

  /** A malformed encoding inside the body (the binary format's rules, not validation's). */
  malformed(reason: string, offset = this.at): never {
    throw new DecodeError(reason, offset);
  }

  private mismatch(expected: number, actual: number | undefined): never {
    const found = actual === undefined ? 'nothing' : typeName(actual);
    this.fail(`type mismatch: expected ${typeName(expected)}, found ${found}`);
  }

  // ---- operand stack ----

  /** Doubles the operand stack; returns the new array. */
  private growVals(): Uint8Array {
    const grown = new Uint8Array(this.vals.length * 2);
    grown.set(this.vals);
    this.vals = grown;
    return grown;
  }

  push(t: number): void {
    if (this.sp === this.vals.length) this.growVals();
    this.vals[this.sp++] = t;
  }

  pushAll(types: readonly ValType[]): void {
    for (let i = 0; i < types.length; i++) this.push(types[i]);
  }

  /** Pops any value; UNKNOWN when the frame is unreachable and its stack part is empty. */
  pop(): number {
    const top = this.depth - 1;
    if (this.sp === this.frameHeight[top]) {
      if (this.frameUnreachable[top] !== 0) return UNKNOWN;
      this.fail('type mismatch: expected a value, found nothing');
    }
    return this.vals[--this.sp];
  }

  /** Pops a value of type `expected` (UNKNOWN matches anything) and returns the actual type. */
  popExpect(expected: number): number {
    const top = this.depth - 1;
    if (this.sp === this.frameHeight[top]) {
      if (this.frameUnreachable[top] !== 0) return UNKNOWN;
      this.mismatch(expected, undefined);
    }
    const actual = this.vals[--this.sp];
    if (actual !== expected && actual !== UNKNOWN && expected !== UNKNOWN) {
      this.mismatch(expected, actual);
    }
    return actual;
  }

  popAll(types: readonly ValType[]): void {
    for (let i = types.length - 1; i >= 0; i--) this.popExpect(types[i]);
  }

  /** Checks the top of the stack against `types` without popping (br_if, br_table targets). */
  private peekAll(types: readonly ValType[]): void {
    const top = this.depth - 1;
    const available = this.sp - this.frameHeight[top];
    const n = types.length;
    for (let k = 0; k < n; k++) {
      const expected = types[n - 1 - k];
      if (k < available) {
        const actual = this.vals[this.sp - 1 - k];
        if (actual !== expected && actual !== UNKNOWN) this.mismatch(expected, actual);
      } else if (this.frameUnreachable[top] === 0) {
        this.mismatch(expected, undefined);
      }
    }
  }

  /** Applies a regular instruction type: pops its parameters, pushes its result. */
  apply(s: Signature): void {
    const params = s.params;
    for (let i = params.length - 1; i >= 0; i--) this.popExpect(params[i]);
    if (s.result !== undefined) this.push(s.result);
  }

  // ---- control stack ----

  private growFrames(): void {
    const size = this.frameKind.length * 2;
    const kind = new Uint8Array(size);
    kind.set(this.frameKind);
    this.frameKind = kind;
    const height = new Int32Array(size);
    height.set(this.frameHeight);
    this.frameHeight = height;
    const unreachable = new Uint8Array(size);
    unreachable.set(this.frameUnreachable);
    this.frameUnreachable = unreachable;
    while (this.frameParams.length < size) {
      this.frameParams.push(EMPTY);
      this.frameResults.push(EMPTY);
    }
  }

  private pushFrame(kind: FrameKind, params: readonly ValType[], results: readonly ValType[]) {
    const d = this.depth;
    if (d === this.frameKind.length) this.growFrames();
    this.frameKind[d] = kind;
    this.frameParams[d] = params;
    this.frameResults[d] = results;
    this.frameHeight[d] = this.sp;
    this.frameUnreachable[d] = 0;
    this.depth = d + 1;
    this.pushAll(params);
  }

  /**
   * Checks the frame's results are exactly what is on its part of the stack, and pops it;
   * returns the popped frame's index (its fields stay readable until the next push).
   */
  private popFrame(): number {
    const top = this.depth - 1;
    const results = this.frameResults[top];
    this.popAll(results);
    const height = this.frameHeight[top];
    if (this.sp !== height) {
      const extra = this.sp - height;
      this.fail(
        `type mismatch: ${extra} value${extra === 1 ? '' : 's'} left on the stack at the end of a block returning ${typeListName(results)}`,
      );
    }
    this.depth = top;
    return top;
  }

  /** Marks the rest of the current block unreachable: its stack part becomes polymorphic. */
  setUnreachable(): void {
    const top = this.depth - 1;
    this.sp = this.frameHeight[top];
    this.frameUnreachable[top] = 1;
  }

  /** The types a branch to relative depth `label` carries. */
  private labelTypes(label: number): readonly ValType[] {
    if (label >= this.depth) this.fail(`unknown label ${label}`);
    const index = this.depth - 1 - label;
    return this.frameKind[index] === FrameKind.Loop
      ? this.frameParams[index]
      : this.frameResults[index];
  }

  private readBlockType(): void {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b === 0x40) {
      this.blockParams = EMPTY;
      this.blockResults = EMPTY;
      return;
    }
    const single = singleResult[b];
    if (single !== undefined) {
      this.blockParams = EMPTY;
      this.blockResults = single;
      return;
    }
    r.pos = at;
    const index = r.s33();
    if (index < 0) this.malformed('malformed value type', at);
    const type = this.ctx.types[index];
    if (type === undefined) this.fail(`unknown type ${index}`);
    this.blockParams = type.params;
    this.blockResults = type.results;
  }

  // ---- shared immediates ----

  /** A u32 immediate; the common one-byte case without a call into the reader. */
  u32(): number {
    const r = this.r;
    const p = r.pos;
    if (p < r.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        r.pos = p + 1;
        return b;
      }
    }
    return r.u32();
  }

  /** Reads a memarg and checks the memory exists and the alignment is at most `natural`. */
  memarg(s: MemorySignature): void {
    const align = this.u32();
    this.u32(); // offset
    this.requireMemory();
    if (align > s.naturalAlign) this.fail('alignment must not be larger than natural');
  }

  requireMemory(): void {
    if (this.ctx.memoryCount === 0) this.fail('unknown memory 0');
  }

  /** The reserved memory index byte of memory.size/grow/copy/fill/init: a single 0x00. */
  zeroByte(): void {
    const at = this.r.pos;
    if (this.r.u8() !== 0) this.malformed('zero byte expected', at);
  }

  tableType(index: number): ValType {
    const table = this.ctx.tables[index];
    if (table === undefined) this.fail(`unknown table ${index}`);
    return table.elemType;
  }

  /** Steps over a signed LEB128 of at most 64 bits, with the reader's encoding checks. */
  private skipS64(): void {
    const r = this.r;
    for (let i = 0; i < 10; i++) {
      const byte = r.u8();
      if ((byte & 0x80) === 0) {
        if (i === 9) {
          const rest = byte & 0x7e;
          if ((byte & 0x01) === 0 ? rest !== 0 : rest !== 0x7e) {
            this.malformed('integer too large', r.pos - 1);
          }
        }
        return;
      }
      if (i === 9) this.malformed('integer representation too long', r.pos - 1);
    }
  }

  skipBytes(n: number): void {
    const r = this.r;
    if (r.pos + n > r.end) this.malformed('unexpected end', r.pos);
    r.pos += n;
  }

  // ---- the main loop ----

  /**
   * Validates one instruction whose opcode byte `op` has been read (the reader stands after
   * it): the plain version of every single-byte instruction, which the main loop falls back
   * to whenever its inline fast path does not apply.
   */
  private step(op: number): void {
    const numeric = numericOps[op];
    if (numeric !== undefined) {
      this.apply(numeric);
      return;
    }
    const mem = memoryOps[op];
    if (mem !== undefined) {
      this.memarg(mem);
      this.apply(mem);
      return;
    }
    this.irregular(op);
  }

  private run(body: FunctionBody): void {
    const r = this.r;
    const bytes = this.bytes;
    const end = body.end;
    r.end = end;
    this.sp = 0;
    this.depth = 0;
    this.pushFrame(FrameKind.Function, EMPTY, this.funcType.results);
    const localTypes = this.localTypes;
    const flatLocals = this.flatLocalCount;
    const funcs = this.funcs;
    const globals = this.globals;
    const types = this.ctx.types;
    const tables = this.ctx.tables;
    const hasMemory = this.hasMemory;
    let vals: Uint8Array = this.vals;
    let sp = this.sp;
    let depth = this.depth;
    /** Operand stack height of the innermost frame. */
    let height = 0;
    let pos = body.start;
    // Depth reaches 0 only at an `end`: the loop is left there, not tested per instruction.
    instructions: for (;;) {
      if (pos >= end) {
        this.at = pos;
        this.malformed(missingEndReason(bytes, body), end);
      }
      const at = pos;
      const op = bytes[pos++];
      // Each case either validates its instruction and continues, or breaks out of the
      // switch to have `step` validate it (or report it) from its opcode again.
      switch (op) {
        case 0x20: {
          // local.get
          if (pos >= end) break;
          let index = bytes[pos];
          if (index < 0x80) pos++;
          else {
            index = readU32(bytes, pos, end);
            if (index < 0) break;
            pos = lebEnd[0];
          }
          if (index >= flatLocals) break;
          if (sp === vals.length) vals = this.growVals();
          vals[sp++] = localTypes[index];
          continue;
        }
        case 0x21: // local.set
        case 0x22: {
          // local.tee
          if (pos >= end || sp === height) break;
          let index = bytes[pos];
          let next = pos + 1;
          if (index >= 0x80) {
            index = readU32(bytes, pos, end);
            if (index < 0) break;
            next = lebEnd[0];
          }
          if (index >= flatLocals) break;
          const t = localTypes[index];
          const actual = vals[sp - 1];
          if (actual !== t && actual !== UNKNOWN) break;
          pos = next;
          if (op === 0x21) sp--;
          else vals[sp - 1] = t;
          continue;
        }
        case 0x41: {
          // i32.const
          const next = skipS32(bytes, pos, end);
          if (next < 0) break;
          pos = next;
          if (sp === vals.length) vals = this.growVals();
          vals[sp++] = ValType.i32;
          continue;
        }
        case 0x0d: {
          // br_if
          if (pos >= end) break;
          const label = bytes[pos];
          if (label >= 0x80 || label >= depth || sp === height) break;
          const cond = vals[sp - 1];
          if (cond !== ValType.i32 && cond !== UNKNOWN) break;
          const target = depth - 1 - label;
          const types =
            this.frameKind[target] === FrameKind.Loop
              ? this.frameParams[target]
              : this.frameResults[target];
          const n = types.length;
          if (sp - 1 - height < n) break;
          // Pop then push the label types: in unreachable code this makes them concrete.
          let k = 0;
          for (; k < n; k++) {
            const actual = vals[sp - 1 - n + k];
            if (actual !== types[k] && actual !== UNKNOWN) break;
          }
          if (k < n) break;
          sp--;
          for (k = 0; k < n; k++) vals[sp - n + k] = types[k];
          pos++;
          continue;
        }
        case 0x0c: // br
        case 0x0f: {
          // return
          let types: readonly ValType[];
          let next = pos;
          if (op === 0x0c) {
            if (pos >= end) break;
            const label = bytes[pos];
            if (label >= 0x80 || label >= depth) break;
            const target = depth - 1 - label;
            types =
              this.frameKind[target] === FrameKind.Loop
                ? this.frameParams[target]
                : this.frameResults[target];
            next++;
          } else {
            types = this.frameResults[0];
          }
          const n = types.length;
          if (sp - height < n) break;
          let k = 0;
          for (; k < n; k++) {
            const actual = vals[sp - n + k];
            if (actual !== types[k] && actual !== UNKNOWN) break;
          }
          if (k < n) break;
          pos = next;
          sp = height;
          this.frameUnreachable[depth - 1] = 1;
          continue;
        }
        case 0x02: // block
        case 0x03: {
          // loop
          if (pos >= end || depth === this.frameKind.length) break;
          const b = bytes[pos];
          const results = b === 0x40 ? EMPTY : singleResult[b];
          if (results === undefined) break;
          pos++;
          this.frameKind[depth] = op === 0x02 ? FrameKind.Block : FrameKind.Loop;
          this.frameParams[depth] = EMPTY;
          this.frameResults[depth] = results;
          this.frameHeight[depth] = sp;
          this.frameUnreachable[depth] = 0;
          depth++;
          height = sp;
          continue;
        }
        case 0x04: {
          // if
          if (pos >= end || depth === this.frameKind.length || sp === height) break;
          const b = bytes[pos];
          const results = b === 0x40 ? EMPTY : singleResult[b];
          if (results === undefined) break;
          const cond = vals[sp - 1];
          if (cond !== ValType.i32 && cond !== UNKNOWN) break;
          pos++;
          sp--;
          this.frameKind[depth] = FrameKind.If;
          this.frameParams[depth] = EMPTY;
          this.frameResults[depth] = results;
          this.frameHeight[depth] = sp;
          this.frameUnreachable[depth] = 0;
          depth++;
          height = sp;
          continue;
        }
        case 0x05: // else
        case 0x0b: {
          // end
          const top = depth - 1;
          const kind = this.frameKind[top];
          const results = this.frameResults[top];
          const params = this.frameParams[top];
          const n = results.length;
          if (sp - height !== n) break;
          if (
            op === 0x05 ? kind !== FrameKind.If : kind === FrameKind.If && n + params.length !== 0
          ) {
            break;
          }
          let k = 0;
          for (; k < n; k++) {
            const actual = vals[height + k];
            if (actual !== results[k] && actual !== UNKNOWN) break;
          }
          if (k < n) break;
          if (op === 0x05) {
            // The else branch starts from the if's parameters, reachable again.
            const np = params.length;
            if (height + np > vals.length) break;
            for (k = 0; k < np; k++) vals[height + k] = params[k];
            sp = height + np;
            this.frameKind[top] = FrameKind.Else;
            this.frameUnreachable[top] = 0;
          } else {
            // The results, now concrete, stay on the enclosing frame's part of the stack.
            for (k = 0; k < n; k++) vals[height + k] = results[k];
            depth = top;
            if (top === 0) break instructions;
            height = this.frameHeight[top - 1];
          }
          continue;
        }
        case 0x10: {
          // call
          const index = readU32(bytes, pos, end);
          if (index < 0 || index >= funcs.length) break;
          const next = lebEnd[0];
          const type = funcs[index];
          const params = type.params;
          const np = params.length;
          if (sp - height < np) break;
          let k = 0;
          for (; k < np; k++) {
            const actual = vals[sp - np + k];
            if (actual !== params[k] && actual !== UNKNOWN) break;
          }
          if (k < np) break;
          const results = type.results;
          const nr = results.length;
          if (sp - np + nr > vals.length) break;
          sp -= np;
          for (k = 0; k < nr; k++) vals[sp++] = results[k];
          pos = next;
          continue;
        }
        case 0x11: {
          // call_indirect typeidx tableidx
          const typeIndex = readU32(bytes, pos, end);
          if (typeIndex < 0 || typeIndex >= types.length) break;
          const tableIndex = readU32(bytes, lebEnd[0], end);
          if (tableIndex < 0 || tableIndex >= tables.length) break;
          if (tables[tableIndex].elemType !== ValType.funcref) break;
          const next = lebEnd[0];
          if (sp === height) break;
          const callee = vals[sp - 1];
          if (callee !== ValType.i32 && callee !== UNKNOWN) break;
          const type = types[typeIndex];
          const params = type.params;
          const np = params.length;
          const base = sp - 1 - np;
          if (base < height) break;
          let k = 0;
          for (; k < np; k++) {
            const actual = vals[base + k];
            if (actual !== params[k] && actual !== UNKNOWN) break;
          }
          if (k < np) break;
          const results = type.results;
          const nr = results.length;
          if (base + nr > vals.length) break;
          sp = base;
          for (k = 0; k < nr; k++) vals[sp++] = results[k];
          pos = next;
          continue;
        }
        case 0x1a: // drop
          if (sp === height) break;
          sp--;
          continue;
        case 0x1b: {
          // select
          if (sp - height < 3) break;
          const cond = vals[sp - 1];
          const t1 = vals[sp - 2];
          const t2 = vals[sp - 3];
          if (cond !== ValType.i32 && cond !== UNKNOWN) break;
          if (isRef[t1] !== 0 || isRef[t2] !== 0) break;
          if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) break;
          sp -= 2;
          vals[sp - 1] = t1 === UNKNOWN ? t2 : t1;
          continue;
        }
        case 0x23: {
          // global.get
          const index = readU32(bytes, pos, end);
          if (index < 0 || index >= globals.length) break;
          if (sp === vals.length) vals = this.growVals();
          vals[sp++] = globals[index].valType;
          pos = lebEnd[0];
          continue;
        }
        case 0x24: {
          // global.set
          if (sp === height) break;
          const index = readU32(bytes, pos, end);
          if (index < 0 || index >= globals.length) break;
          const global = globals[index];
          const actual = vals[sp - 1];
          if (!global.mutable || (actual !== global.valType && actual !== UNKNOWN)) break;
          sp--;
          pos = lebEnd[0];
          continue;
        }
        case 0x42: {
          // i64.const
          const next = skipS64(bytes, pos, end);
          if (next < 0) break;
          pos = next;
          if (sp === vals.length) vals = this.growVals();
          vals[sp++] = ValType.i64;
          continue;
        }
        case 0x43: // f32.const
        case 0x44: {
          // f64.const
          const next = pos + (op === 0x43 ? 4 : 8);
          if (next > end) break;
          pos = next;
          if (sp === vals.length) vals = this.growVals();
          vals[sp++] = op === 0x43 ? ValType.f32 : ValType.f64;
          continue;
        }
        case 0x01: // nop
          continue;
        case 0x46:
        case 0x47:
        case 0x48:
        case 0x49:
        case 0x4a:
        case 0x4b:
        case 0x4c:
        case 0x4d:
        case 0x4e:
        case 0x4f:
        case 0x6a:
        case 0x6b:
        case 0x6c:
        case 0x6d:
        case 0x6e:
        case 0x6f:
        case 0x70:
        case 0x71:
        case 0x72:
        case 0x73:
        case 0x74:
        case 0x75:
        case 0x76:
        case 0x77:
        case 0x78: {
          // [i32 i32] -> [i32]: i32 arithmetic (0x6a-0x78) and comparisons (0x46-0x4f)
          if (sp - height < 2) break;
          const a = vals[sp - 1];
          const b = vals[sp - 2];
          if ((a !== ValType.i32 && a !== UNKNOWN) || (b !== ValType.i32 && b !== UNKNOWN)) break;
          sp--;
          vals[sp - 1] = ValType.i32;
          continue;
        }
        default: {
          const c = opClass[op];
          if (c === OpClass.Binary) {
            if (sp - height < 2) break;
            const p = numParam[op];
            const a = vals[sp - 1];
            const b = vals[sp - 2];
            if ((a !== p && a !== UNKNOWN) || (b !== p && b !== UNKNOWN)) break;
            sp--;
            vals[sp - 1] = numResult[op];
            continue;
          }
          if (c === OpClass.Unary) {
            if (sp === height) break;
            const a = vals[sp - 1];
            if (a !== numParam[op] && a !== UNKNOWN) break;
            vals[sp - 1] = numResult[op];
            continue;
          }
          if (c !== OpClass.Load && c !== OpClass.Store) break;
          if (!hasMemory || pos >= end) break;
          // memarg: alignment (at most natural) then offset
          const align = bytes[pos];
          if (align > memAlign[op]) break; // (also every alignment >= 0x80)
          let next = pos + 1;
          if (next < end && bytes[next] < 0x80) next++;
          else {
            next = skipU32(bytes, next, end);
            if (next < 0) break;
          }
          const count = c === OpClass.Load ? 1 : 2;
          if (sp - height < count) break;
          const address = vals[sp - count];
          if (address !== ValType.i32 && address !== UNKNOWN) break;
          if (count === 1) {
            vals[sp - 1] = memType[op];
          } else {
            const value = vals[sp - 1];
            if (value !== memType[op] && value !== UNKNOWN) break;
            sp -= 2;
          }
          pos = next;
          continue;
        }
      }
      // The plain path: the instruction again from its opcode, with the state in fields.
      this.sp = sp;
      this.depth = depth;
      this.at = at;
      r.pos = at + 1;
      this.step(op);
      vals = this.vals;
      sp = this.sp;
      depth = this.depth;
      pos = r.pos;
      if (depth === 0) break;
      height = this.frameHeight[depth - 1];
    }
    r.pos = pos;
    if (pos !== end) this.malformed('operators remaining after end of function', pos);
  }

  /** Control, parametric, variable, table, reference and prefixed instructions. */
  private irregular(op: number): void {
    const r = this.r;
    switch (op) {
      case 0x00: // unreachable
        this.setUnreachable();
        return;
      case 0x01: // nop
        return;
      case 0x02: // block
      case 0x03: // loop
        this.readBlockType();
        this.popAll(this.blockParams);
        this.pushFrame(
          op === 0x02 ? FrameKind.Block : FrameKind.Loop,
          this.blockParams,
          this.blockResults,
        );
        return;
      case 0x04: // if
        this.readBlockType();
        this.popExpect(ValType.i32);
        this.popAll(this.blockParams);
        this.pushFrame(FrameKind.If, this.blockParams, this.blockResults);
        return;
      case 0x05: {
        // else
        const top = this.depth - 1;
        if (this.frameKind[top] !== FrameKind.If) this.malformed('misplaced ELSE opcode');
        const params = this.frameParams[top];
        const results = this.frameResults[top];
        this.popFrame();
        this.pushFrame(FrameKind.Else, params, results);
        return;
      }
      case 0x0b: {
        // end
        const f = this.popFrame();
        const params = this.frameParams[f];
        const results = this.frameResults[f];
        if (this.frameKind[f] === FrameKind.If && !sameTypes(params, results)) {
          this.fail(
            `type mismatch: if without else must leave its parameters ${typeListName(params)} as its results ${typeListName(results)}`,
          );
        }
        if (this.depth > 0) this.pushAll(results);
        return;
      }
      case 0x0c: // br
        this.popAll(this.labelTypes(this.u32()));
        this.setUnreachable();
        return;
      case 0x0d: {
        // br_if
        const types = this.labelTypes(this.u32());
        this.popExpect(ValType.i32);
        // Pop then push the label types: in unreachable code this makes them concrete.
        this.popAll(types);
        this.pushAll(types);
        return;
      }
      case 0x0e:
        this.brTable();
        return;
      case 0x0f: // return
        this.popAll(this.funcType.results);
        this.setUnreachable();
        return;
      case 0x10: {
        // call
        const index = this.u32();
        const type = this.ctx.funcs[index];
        if (type === undefined) this.fail(`unknown function ${index}`);
        this.popAll(type.params);
        this.pushAll(type.results);
        return;
      }
      case 0x11: {
        // call_indirect typeidx tableidx
        const typeIndex = this.u32();
        const tableIndex = this.u32();
        if (this.tableType(tableIndex) !== ValType.funcref) {
          this.fail(
            `type mismatch: call_indirect needs a funcref table, table ${tableIndex} is not`,
          );
        }
        const type = this.ctx.types[typeIndex];
        if (type === undefined) this.fail(`unknown type ${typeIndex}`);
        this.popExpect(ValType.i32);
        this.popAll(type.params);
        this.pushAll(type.results);
        return;
      }
      case 0x1a: // drop
        this.pop();
        return;
      case 0x1b:
        this.select();
        return;
      case 0x1c: {
        // select (result t)
        const count = this.u32();
        if (count !== 1) this.fail('invalid result arity');
        const at = r.pos;
        const t = r.u8();
        if (singleResult[t] === undefined) this.malformed('malformed value type', at);
        this.popExpect(ValType.i32);
        this.popExpect(t);
        this.popExpect(t);
        this.push(t);
        return;
      }
      case 0x20: // local.get
        this.push(this.localType(this.u32()));
        return;
      case 0x21: // local.set
        this.popExpect(this.localType(this.u32()));
        return;
      case 0x22: {
        // local.tee
        const t = this.localType(this.u32());
        this.popExpect(t);
        this.push(t);
        return;
      }
      case 0x23: {
        // global.get
        const index = this.u32();
        const global = this.ctx.globals[index];
        if (global === undefined) this.fail(`unknown global ${index}`);
        this.push(global.valType);
        return;
      }
      case 0x24: {
        // global.set
        const index = this.u32();
        const global = this.ctx.globals[index];
        if (global === undefined) this.fail(`unknown global ${index}`);
        if (!global.mutable) this.fail('global is immutable');
        this.popExpect(global.valType);
        return;
      }
      case 0x25: {
        // table.get
        const t = this.tableType(this.u32());
        this.popExpect(ValType.i32);
        this.push(t);
        return;
      }
      case 0x26: {
        // table.set
        const t = this.tableType(this.u32());
        this.popExpect(t);
        this.popExpect(ValType.i32);
        return;
      }
      case 0x3f: // memory.size
        this.zeroByte();
        this.requireMemory();
        this.push(ValType.i32);
        return;
      case 0x40: // memory.grow
        this.zeroByte();
        this.requireMemory();
        this.popExpect(ValType.i32);
        this.push(ValType.i32);
        return;
      case 0x41: // i32.const
        if (r.pos < r.end && this.bytes[r.pos] < 0x80) r.pos++;
        else r.s32();
        this.push(ValType.i32);
        return;
      case 0x42: // i64.const
        this.skipS64();
        this.push(ValType.i64);
        return;
      case 0x43: // f32.const
        this.skipBytes(4);
        this.push(ValType.f32);
        return;
      case 0x44: // f64.const
        this.skipBytes(8);
        this.push(ValType.f64);
        return;
      case 0xd0: {
        // ref.null t
        const at = r.pos;
        const t = r.u8();
        if (!isRefType(t)) this.malformed('malformed reference type', at);
        this.push(t);
        return;
      }
      case 0xd1: {
        // ref.is_null
        const t = this.pop();
        if (t !== UNKNOWN && !isRefType(t)) {
          this.fail(`type mismatch: expected a reference, found ${typeName(t)}`);
        }
        this.push(ValType.i32);
        return;
      }
      case 0xd2: {
        // ref.func
        const index = this.u32();
        if (index >= this.ctx.funcs.length) this.fail(`unknown function ${index}`);
        if (this.ctx.refs[index] !== 1) this.fail('undeclared function reference');
        this.push(ValType.funcref);
        return;
      }
      case 0xfc:
        validateMiscInstruction(this, this.u32());
        return;
      case 0xfd:
        validateSimdInstruction(this, this.u32());
        return;
      default:
        this.malformed(`illegal opcode 0x${op.toString(16)}`);
    }
  }

  private select(): void {
    this.popExpect(ValType.i32);
    const t1 = this.pop();
    const t2 = this.pop();
    if (isRefType(t1) || isRefType(t2)) {
      this.fail('type mismatch: select without a type needs numeric or vector operands');
    }
    if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) this.mismatch(t1, t2);
    this.push(t1 === UNKNOWN ? t2 : t1);
  }

  private brTable(): void {
    const r = this.r;
    const count = this.u32();
    const targetsStart = r.pos;
    for (let i = 0; i < count; i++) this.u32();
    const defaultTypes = this.labelTypes(this.u32());
    const afterDefault = r.pos;
    this.popExpect(ValType.i32);
    const arity = defaultTypes.length;
    r.pos = targetsStart;
    for (let i = 0; i < count; i++) {
      const types = this.labelTypes(this.u32());
      if (types.length !== arity) {
        this.fail(
          `type mismatch: br_table targets carry ${typeListName(types)} and ${typeListName(defaultTypes)}`,
        );
      }
      this.peekAll(types);
    }
    r.pos = afterDefault;
    this.popAll(defaultTypes);
    this.setUnreachable();
  }
}

/** The text-format name of the instruction at `offset`, for error messages. */
function instructionNameAt(bytes: Uint8Array, offset: number): string | undefined {
  try {
    const r = new BinaryReader(bytes, offset);
    return opcodes.get(readOpcode(r))?.name;
  } catch {
    return undefined;
  }
}

function sameTypes(a: readonly ValType[], b: readonly ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
