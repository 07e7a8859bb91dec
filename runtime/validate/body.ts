// Validation of one function body: the operand-stack and control-stack algorithm of the spec's
// validation appendix, run in a single pass over the body's bytes. Unreachable code is handled
// with the polymorphic stack (popping past an unreachable frame's height yields the unknown
// type, 0). Regular instructions are typed from the tables in optable.ts; the 0xFC and 0xFD
// prefixes are dispatched to misc.ts and simd.ts. One instance is reused for all bodies of a
// module so validation allocates almost nothing per function.
import { FunctionBody, FuncType, ValType } from '../model';
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

/** A control frame: a block, loop, if/else or the function body itself. */
class Frame {
  kind: FrameKind = FrameKind.Block;
  params: readonly ValType[] = EMPTY;
  results: readonly ValType[] = EMPTY;
  /** Operand stack height at entry (below the block's parameters). */
  height = 0;
  unreachable = false;
}

const EMPTY: readonly ValType[] = [];
/** The result list of the single-value block types, by type byte. */
const singleResult: (readonly ValType[] | undefined)[] = [];
for (const t of Object.values(ValType)) singleResult[t] = [t];

const IRREGULAR = 0;
const NUMERIC = 1;
const MEMORY = 2;
/** How the main loop dispatches each single-byte opcode (one typed-array load). */
const opcodeKinds = new Uint8Array(256);
for (let op = 0; op < 256; op++) {
  opcodeKinds[op] =
    numericOps[op] !== undefined ? NUMERIC : memoryOps[op] !== undefined ? MEMORY : IRREGULAR;
}

/** Largest local count stored as a flat type array; beyond it locals are looked up by group. */
const FLAT_LOCALS_LIMIT = 1 << 20;

export class BodyValidator {
  /** The operand stack: value types by their binary encoding, UNKNOWN for bottom. */
  private vals = new Uint8Array(256);
  private sp = 0;
  private frames: Frame[] = [];
  private depth = 0;
  /** frames[depth - 1], kept at hand because every pop consults it. */
  private top: Frame = new Frame();
  private localTypes = new Uint8Array(64);
  private localCount = 0;
  /** Group boundaries for bodies with more than FLAT_LOCALS_LIMIT locals. */
  private localGroupEnds: number[] = [];
  private localGroupTypes: ValType[] = [];
  private funcType: FuncType = { params: [], results: [] };
  private funcIndex = 0;
  /** Offset of the instruction being validated (for error messages). */
  at = 0;
  r: BinaryReader;
  private readonly bytes: Uint8Array;
  /** Block type read by readBlockType. */
  private blockParams: readonly ValType[] = EMPTY;
  private blockResults: readonly ValType[] = EMPTY;

  constructor(readonly ctx: ModuleContext) {
    this.r = new BinaryReader(ctx.module.bytes);
    this.bytes = ctx.module.bytes;
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
    let total = params.length;
    for (const group of body.locals) total += group.count;
    if (total > 0xffffffff) throw new DecodeError('too many locals', body.start);
    this.localCount = total;
    if (total <= FLAT_LOCALS_LIMIT) {
      if (this.localTypes.length < total) this.localTypes = new Uint8Array(total * 2);
      const types = this.localTypes;
      let i = 0;
      for (; i < params.length; i++) types[i] = params[i];
      for (const group of body.locals) {
        types.fill(group.type, i, i + group.count);
        i += group.count;
      }
      this.localGroupEnds.length = 0;
    } else {
      const ends: number[] = [];
      const types: ValType[] = [];
      let i = 0;
      for (const p of params) {
        ends.push(++i);
        types.push(p);
      }
      for (const group of body.locals) {
        if (group.count === 0) continue;
        i += group.count;
        ends.push(i);
        types.push(group.type);
      }
      this.localGroupEnds = ends;
      this.localGroupTypes = types;
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

  push(t: number): void {
    if (this.sp === this.vals.length) {
      const grown = new Uint8Array(this.vals.length * 2);
      grown.set(this.vals);
      this.vals = grown;
    }
    this.vals[this.sp++] = t;
  }

  pushAll(types: readonly ValType[]): void {
    for (let i = 0; i < types.length; i++) this.push(types[i]);
  }

  /** Pops any value; UNKNOWN when the frame is unreachable and its stack part is empty. */
  pop(): number {
    const f = this.top;
    if (this.sp === f.height) {
      if (f.unreachable) return UNKNOWN;
      this.fail('type mismatch: expected a value, found nothing');
    }
    return this.vals[--this.sp];
  }

  /** Pops a value of type `expected` (UNKNOWN matches anything) and returns the actual type. */
  popExpect(expected: number): number {
    const f = this.top;
    if (this.sp === f.height) {
      if (f.unreachable) return UNKNOWN;
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
    const f = this.top;
    const available = this.sp - f.height;
    const n = types.length;
    for (let k = 0; k < n; k++) {
      const expected = types[n - 1 - k];
      if (k < available) {
        const actual = this.vals[this.sp - 1 - k];
        if (actual !== expected && actual !== UNKNOWN) this.mismatch(expected, actual);
      } else if (!f.unreachable) {
        this.mismatch(expected, undefined);
      }
    }
  }

  /** Applies a regular instruction type: pops its parameters, pushes its result. */
  apply(s: Signature): void {
    const params = s.params;
    const n = params.length;
    const f = this.top;
    if (this.sp - f.height >= n) {
      const vals = this.vals;
      for (let i = n - 1; i >= 0; i--) {
        const actual = vals[--this.sp];
        if (actual !== params[i] && actual !== UNKNOWN) this.mismatch(params[i], actual);
      }
    } else {
      for (let i = n - 1; i >= 0; i--) this.popExpect(params[i]);
    }
    if (s.result !== undefined) this.push(s.result);
  }

  // ---- control stack ----

  private pushFrame(kind: FrameKind, params: readonly ValType[], results: readonly ValType[]) {
    let f = this.frames[this.depth];
    if (f === undefined) this.frames.push((f = new Frame()));
    f.kind = kind;
    f.params = params;
    f.results = results;
    f.height = this.sp;
    f.unreachable = false;
    this.depth++;
    this.top = f;
    this.pushAll(params);
  }

  /** Checks the frame's results are exactly what is on its part of the stack, and pops it. */
  private popFrame(): Frame {
    const f = this.top;
    this.popAll(f.results);
    if (this.sp !== f.height) {
      const extra = this.sp - f.height;
      this.fail(
        `type mismatch: ${extra} value${extra === 1 ? '' : 's'} left on the stack at the end of a block returning ${typeListName(f.results)}`,
      );
    }
    this.depth--;
    if (this.depth > 0) this.top = this.frames[this.depth - 1];
    return f;
  }

  /** Marks the rest of the current block unreachable: its stack part becomes polymorphic. */
  setUnreachable(): void {
    const f = this.top;
    this.sp = f.height;
    f.unreachable = true;
  }

  /** The types a branch to relative depth `label` carries. */
  private labelTypes(label: number): readonly ValType[] {
    if (label >= this.depth) this.fail(`unknown label ${label}`);
    const f = this.frames[this.depth - 1 - label];
    return f.kind === FrameKind.Loop ? f.params : f.results;
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

  private run(body: FunctionBody): void {
    const r = this.r;
    const bytes = this.ctx.module.bytes;
    r.pos = body.start;
    r.end = body.end;
    this.sp = 0;
    this.depth = 0;
    this.pushFrame(FrameKind.Function, EMPTY, this.funcType.results);
    const end = body.end;
    const numeric = numericOps;
    const memory = memoryOps;
    const kinds = opcodeKinds;
    while (this.depth > 0) {
      if (r.pos >= end) this.malformed(missingEndReason(this.ctx.module.bytes, body), end);
      this.at = r.pos;
      const op = bytes[r.pos++];
      const kind = kinds[op];
      if (kind === NUMERIC) {
        this.apply(numeric[op] as Signature);
      } else if (kind === MEMORY) {
        const mem = memory[op] as MemorySignature;
        this.memarg(mem);
        this.apply(mem);
      } else if (op === 0x20) {
        // local.get: the most frequent instruction, kept out of the big switch
        this.push(this.localType(this.u32()));
      } else {
        this.irregular(op);
      }
    }
    if (r.pos !== end) this.malformed('operators remaining after end of function', r.pos);
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
        const f = this.top;
        if (f.kind !== FrameKind.If) this.malformed('misplaced ELSE opcode');
        this.popFrame();
        this.pushFrame(FrameKind.Else, f.params, f.results);
        return;
      }
      case 0x0b: {
        // end
        const f = this.popFrame();
        if (f.kind === FrameKind.If && !sameTypes(f.params, f.results)) {
          this.fail(
            `type mismatch: if without else must leave its parameters ${typeListName(f.params)} as its results ${typeListName(f.results)}`,
          );
        }
        if (this.depth > 0) this.pushAll(f.results);
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
