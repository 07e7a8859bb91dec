// The code generator: turns one Wasm function body into the source of a JS factory
// `(I, R, X, H) => function w<index>$<name>(params) {...}`. The Wasm operand stack is resolved
// at compile time: stack slot k of a function is the JS local s<k> (i64 high half h<k>, v128
// lanes s<k>,h<k>,x<k>,y<k>), Wasm locals are l<i> (lh<i>, lx<i>, ly<i>). Blocks become labeled
// blocks, loops labeled `for(;;)`, branches copy their values into the target's slots and
// `break`/`continue`. Factory parameters: I = instance context (f: internal functions,
// g: global cells, t: tables, mem: memory store, refs: FuncRefs, e: element segments,
// d: data segments), R = runtime/exec/helpers, X = extra-results array, H = i64 high-half
// scratch of the helpers. Unreachable code is not emitted.
import { BinaryReader } from '../binary/reader';
import { readOpcode, opcodeInfo, skipImmediates } from '../binary/instructions';
import { FuncType, GlobalType, TableType, ValType, WasmModule } from '../model';
import { conditionTemplates, loadTemplates, numericTemplates, storeTemplates } from './numeric';
import { constantOperandTemplate } from './i64-constant';
import { simdOp } from './simd';
import { callMayGrowMemory } from './grow-analysis';
import { interruptFlagInstalled } from '../exec/helpers';

/** Facts about the whole module the code generator needs (index spaces include imports). */
export interface ModuleInfo {
  module: WasmModule;
  funcTypes: FuncType[];
  globalTypes: GlobalType[];
  tableTypes: TableType[];
  typeIds: number[];
  importedFuncs: number;
  hasMemory: boolean;
  funcNames: string[];
  /** Distinguishes modules in generated function names (backtraces). */
  moduleId: number;
}

export interface GeneratedFunction {
  name: string;
  source: string;
  /** Wasm byte offset of each source line (0-based line index of `source`). */
  lineOffsets: number[];
  /** Whether the function binds the memory view in its factory (see "Bound view"). */
  boundView: boolean;
}

const enum Kind {
  Block,
  Loop,
  If,
  Func,
}

interface Frame {
  kind: Kind;
  label: string;
  /** Stack height below the frame's parameters. */
  base: number;
  params: ValType[];
  results: ValType[];
  /** For an `if` with parameters: variables holding the parameters for the `else` arm. */
  saved: string[];
  hasElse: boolean;
  /** Offset of the frame's `end` (and of its `else`, for an if that has one). */
  endPos: number;
  elsePos: number;
  /** Set when the block belongs to a flattened nest (see Nest); `k` is its depth, 1 outermost. */
  nest?: { group: Nest; k: number };
}

/**
 * A run of at least NEST_MIN directly nested empty blocks (`block block block ... br_table`, how
 * compilers lower big switches). V8's parser overflows its stack on a few thousand nested JS
 * blocks, so such a nest is emitted flat: the innermost body runs inside one labeled block
 * (`inner`) and a branch to block k sets `j = k` and leaves it; the code after each block's
 * end then follows as the cases of `for(;;){switch(j){case n: ... case 2: ...}break;}`, falling
 * through as the nested blocks would, with later branches moving forward by `continue`.
 */
interface Nest {
  n: number;
  j: string;
  inner: string;
  loop: string;
  inTails: boolean;
}

let NEST_MIN = 200;

/** Changes the nest-flattening threshold (tests use small values). */
export function setNestThreshold(blocks: number): void {
  NEST_MIN = blocks;
}

/**
 * One JS function being emitted: the Wasm function itself or a chunk outlined from it (see
 * "Splitting" below). Chunks take the Wasm locals they use as parameters, hand written locals
 * back through XL and report how they ended: 0 fell through, -1 returned (values in X), k > 0
 * branched to frame k - 1 of the enclosing code.
 */
interface Emitter {
  name: string;
  lines: string[];
  offsets: number[];
  declared: Set<string>;
  /** Widest value (in variables) each stack slot held: which s/h/x/y variables to declare. */
  slotWidths: number[];
  /** Wasm locals read or written (chunks only need these). */
  used: Set<number>;
  written: Set<number>;
  /** Exit codes this chunk may return (see above). */
  exits: Set<number>;
  /** Frames below this index belong to enclosing JS functions. */
  frameBase: number;
  /** Wasm byte range this function started at, and bytes of it outlined into chunks. */
  startPos: number;
  outlined: number;
  isChunk: boolean;
  /** Whether the function reads or writes memory through the view M. */
  usesMemory: boolean;
  /** For chunks: parameter list and the statements handing written locals back. */
  params?: string[];
  writeBack?: string;
}

/** Thrown while generating a chunk that cannot be outlined (a branch out carrying values). */
class NotOutlinable extends Error {}

/**
 * Splitting: V8 never optimises a function whose bytecode exceeds 60 KiB, and generated code
 * takes about 5.5 bytes of bytecode per Wasm byte. A body larger than SPLIT_BYTES Wasm bytes is
 * emitted as a main function plus chunks: once a JS function has taken SPLIT_BYTES, each
 * stack-neutral region that follows (the rest of a block body, or a whole block) of at most
 * SPLIT_BYTES is outlined into its own function.
 */
let SPLIT_BYTES = 7000;
let MIN_CHUNK_BYTES = 48;
/** Length of the XL array in runtime/exec/helpers.ts. */
const XL_SIZE = 4096;

/** Changes the split threshold (tests use tiny values to exercise splitting on small code). */
export function setSplitThreshold(bytes: number, minChunk = Math.min(48, bytes >> 1)): void {
  SPLIT_BYTES = bytes;
  MIN_CHUNK_BYTES = minChunk;
}

const width = (t: ValType): number => (t === ValType.i64 ? 2 : t === ValType.v128 ? 4 : 1);
const suffixes = ['s', 'h', 'x', 'y'];
const localSuffixes = ['l', 'lh', 'lx', 'ly'];

/**
 * The interrupt poll at function entries and loops: one typed-array load and compare. Emitted
 * only when an embedder has installed an interrupt flag (setInterruptFlag) by the time the
 * function is generated; without one, generated code carries no poll at all.
 */
const POLL = 'if(IF[0]!==0)poll(IF);';
let pollsAllowed = true;

/** Turns interrupt polls off in code generated from now on, even with a flag (to measure them). */
export function setInterruptPolls(enabled: boolean): void {
  pollsAllowed = enabled;
}

interface CompiledTemplate {
  operands: number;
  result: ValType;
  /** Text, placeholder index (0 $a, 1 $ah, 2 $b, 3 $bh, 4 $r, 5 $rh), text, ... */
  parts: (string | number)[];
  /** Whether the template is one expression with a one-variable result (`$r=expr;`). */
  single: boolean;
  /** For a comparison `(cond)|0`: the parts of `(cond)` alone, for a branch to test. */
  condition?: (string | number)[];
  /** Per operand: whether the template uses it more than once (an expression would repeat). */
  repeats: boolean[];
  /** Whether the result may be deferred as an expression (single, no temporaries). */
  foldable: boolean;
  /** Whether that expression may trap. */
  traps: boolean;
}
const compiledTemplates = new Map<string, CompiledTemplate>();
const placeholderIndex: Record<string, number> = { a: 0, ah: 1, b: 2, bh: 3, r: 4, rh: 5 };
const resultTypes: Record<string, ValType> = {
  i: ValType.i32,
  I: ValType.i64,
  f: ValType.f32,
  F: ValType.f64,
};

/** Text, placeholder index, text, ... of a numeric template statement. */
function splitPlaceholders(stmt: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let last = 0;
  for (const m of stmt.matchAll(/\$(ah|bh|rh|a|b|r)/g)) {
    parts.push(stmt.slice(last, m.index), placeholderIndex[m[1]]);
    last = m.index! + m[0].length;
  }
  parts.push(stmt.slice(last));
  return parts;
}

/** Whether `template` is `(...)` + `suffix` with the first parenthesis closing at the end. */
function isParenthesized(template: string, suffix: string): boolean {
  if (!template.startsWith('(') || !template.endsWith(suffix)) return false;
  const end = template.length - suffix.length - 1;
  let depth = 0;
  for (let i = 0; i <= end; i++) {
    const c = template[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === end;
  }
  return false;
}

/** What a deferred stack value is (see "The compile-time operand stack" in generateFunction). */
const enum DeferredKind {
  /** A constant or a local's variables. */
  Plain,
  /** An expression without effects. */
  Pure,
  /** An expression that may trap or reads memory. */
  Effect,
}

/** Helpers whose call may trap: an expression calling one has effects. */
const TRAPPING_CALL = /\b(divs32|divu32|rems32|remu32|truncs32|truncu32|trap)\(/;

/**
 * Marks a deferred stack value that is a JS boolean expression (a comparison consumed by the
 * very next br_if, if or select), tested as is instead of `!==0`.
 */
const BOOL = '\u0003';

/**
 * Whether a parenthesized i32 expression is `(x&1)` at its top level, so its value is 0 or 1:
 * nothing binding more loosely than `&` (`^ | && || ?: = ,`) outside inner parentheses.
 */
function isZeroOrOne(e: string): boolean {
  if (!e.startsWith('(') || !e.endsWith('&1)')) return false;
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    const ch = e[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0 && i !== e.length - 1) return false;
    } else if (depth === 1) {
      if (ch === '^' || ch === '|' || ch === '?' || ch === '=' || ch === ',') return false;
      if (ch === '&' && e[i + 1] === '&') return false;
    }
  }
  return true;
}

/**
 * The mask of a branchless select on condition c: all ones where c is non-zero (whenNonZero)
 * or where it is zero, else 0. A condition that is already 0 or 1 (a bit masked with &1, as in
 * a CRC) is used as is, without testing it for zero.
 */
function selectMask(c: string, whenNonZero: boolean): string {
  const bit = c.charCodeAt(0) === 3 ? `((${c.slice(1)})|0)` : isZeroOrOne(c) ? c : `((${c}!==0)|0)`;
  return whenNonZero ? `(0-${bit})|0` : `(${bit}-1)|0`;
}

/** A numeric template split once into text and placeholders, so emitting is concatenation. */
function compiledTemplate(name: string, template: string, sig: string): CompiledTemplate {
  let c = compiledTemplates.get(name);
  if (c === undefined) {
    const [ins, outs] = sig.split('>');
    const stmt = template.includes('$r') ? template : `$r=${template};`;
    const parts = splitPlaceholders(stmt);
    const result = resultTypes[outs];
    const single = !template.includes('$r') && result !== ValType.i64;
    const repeats: boolean[] = [];
    for (let i = 0; i < ins.length; i++) {
      const uses = parts.filter((p) => p === 2 * i || p === 2 * i + 1).length;
      repeats.push(uses > (ins[i] === 'I' ? 2 : 1));
    }
    const foldable = single && !/\bt\d\b|\bH\[/.test(template);
    const traps = TRAPPING_CALL.test(template);
    c = { operands: ins.length, result, parts, single, repeats, foldable, traps };
    const branchForm = conditionTemplates[name];
    if (branchForm !== undefined) c.condition = splitPlaceholders(branchForm);
    else if (/\.(eqz|eq|ne|lt|gt|le|ge)(_[su])?$/.test(name) && isParenthesized(template, '|0')) {
      c.condition = splitPlaceholders(template.slice(0, -2));
    }
    compiledTemplates.set(name, c);
  }
  return c;
}

const compiledMemoryTemplates = new Map<string, (string | number)[]>();
const memoryPlaceholder: Record<string, number> = { e: 0, r: 1, v: 1, rh: 2, vh: 2 };

/**
 * A load or store template split once into text and placeholders (0 $e the address, 1 $r/$v
 * the value, 2 $rh/$vh its high half), so emitting is concatenation.
 */
function memoryTemplate(name: string, template: string): (string | number)[] {
  let parts = compiledMemoryTemplates.get(name);
  if (parts === undefined) {
    parts = [];
    let last = 0;
    for (const m of template.matchAll(/\$(e|rh|r|vh|v)/g)) {
      parts.push(template.slice(last, m.index), memoryPlaceholder[m[1]]);
      last = m.index! + m[0].length;
    }
    parts.push(template.slice(last));
    compiledMemoryTemplates.set(name, parts);
  }
  return parts;
}

/** Whether a load template is one assignment `$r=...;` (no high half, no temporaries). */
function singleLoad(template: string): boolean {
  return (
    template.startsWith('$r=') &&
    template.indexOf('$r', 1) < 0 &&
    template.indexOf(';') === template.length - 1
  );
}

/** Placeholder for refreshing the memory view after a call or grow. */
const REFRESH = '\u0002';

/** Placeholder for a chunk's write-back of locals, known only once the chunk is complete. */
const WRITE_BACK = '\u0001WB\u0001';

/**
 * Placeholders for a loop's interrupt poll, at its header (`\u0003H<label>\u0003`) and before
 * each branch back to it (`\u0003B<label>\u0003`). A loop with one back-edge polls there, as
 * the loop's first pass and its exit then skip the flag load (coremark and fib ~5% faster); a
 * loop with several polls once at its header (an interpreter's dispatch loop, branched back
 * to from every case, ran ~40% slower with a poll per case).
 */
const LOOP_POLL_MARK = /\u0003([HB])(L\d+)\u0003/g;

/** For each block/loop/if start offset: the offsets of its `end` and (if) `else` opcodes. */
function scanBlockEnds(
  bytes: Uint8Array,
  start: number,
  end: number,
): Map<number, [number, number]> {
  const r = new BinaryReader(bytes, start, end);
  const ends = new Map<number, [number, number]>();
  const open: [number, number][] = [];
  while (r.pos < end) {
    const at = r.pos;
    const key = readOpcode(r);
    skipImmediates(r, opcodeInfo(r, key, at));
    if (key === 0x02 || key === 0x03 || key === 0x04) open.push([at, -1]);
    else if (key === 0x05 && open.length > 0) open[open.length - 1][1] = at;
    else if (key === 0x0b && open.length > 0) {
      const [s, e] = open.pop()!;
      ends.set(s, [at, e]);
    }
  }
  return ends;
}

/** Shared, read-only name arrays of stack slots: [slot][width] -> ['s3', 'h3', ...]. */
const slotNameCache: string[][][] = [];
function slotNamesFor(k: number, n: number): string[] {
  let byWidth = slotNameCache[k];
  if (byWidth === undefined) {
    byWidth = [];
    for (let w = 0; w <= 4; w++) byWidth.push(suffixes.slice(0, w).map((p) => `${p}${k}`));
    slotNameCache[k] = byWidth;
  }
  return byWidth[n];
}

export function jsName(moduleId: number, index: number, name: string | undefined): string {
  const clean = (name ?? '').replace(/[^A-Za-z0-9_$]/g, '_').slice(0, 60);
  return `w${moduleId}_${index}$${clean}`;
}

function fmtNum(x: number): string {
  if (Object.is(x, -0)) return '-0';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return String(x);
}

const f32buf = new Float32Array(1);
const f32bits = new Int32Array(f32buf.buffer);
const f64buf = new Float64Array(1);
const f64bits = new Int32Array(f64buf.buffer);

/**
 * Generates function `funcIndex`. `bindView` allows the bound memory view (see "Bound view"
 * below); the instance turns it off for a function it had to rebind after a memory grow.
 */
export function generateFunction(
  info: ModuleInfo,
  funcIndex: number,
  bindView = true,
): GeneratedFunction {
  const m = info.module;
  const defined = funcIndex - info.importedFuncs;
  const body = m.codes[defined];
  const type = info.funcTypes[funcIndex];
  const name = jsName(info.moduleId, funcIndex, info.funcNames[funcIndex]);
  const r = new BinaryReader(m.bytes, body.start, body.end);
  const emitPolls = pollsAllowed && interruptFlagInstalled();

  let at = body.start;
  const newEmitter = (
    fname: string,
    frameBase: number,
    startPos: number,
    isChunk: boolean,
  ): Emitter => ({
    name: fname,
    lines: [],
    offsets: [],
    declared: new Set(),
    slotWidths: [],
    used: new Set(),
    written: new Set(),
    exits: new Set(),
    frameBase,
    startPos,
    outlined: 0,
    isChunk,
    usesMemory: false,
  });
  let E = newEmitter(name, 0, body.start, false);
  const chunks: Emitter[] = [];
  const emit = (s: string): void => {
    // A statement must not run before a deferred load or trapping operation pushed earlier.
    if (effects > 0) flushEffects();
    E.lines.push(s);
    E.offsets.push(at);
  };
  const usedGlobals = new Set<number>();
  const usedTables = new Set<number>();

  // Locals.
  const localTypes: ValType[] = [...type.params];
  for (const g of body.locals) for (let i = 0; i < g.count; i++) localTypes.push(g.type);
  const localNames: string[][] = [];
  const localReadLists: number[][] = [];
  const localReads = (i: number): number[] => (localReadLists[i] ??= [i]);
  const localVars = (i: number): string[] => {
    let names = localNames[i];
    if (names === undefined) {
      names = [];
      for (let k = 0; k < width(localTypes[i]); k++) names.push(`${localSuffixes[k]}${i}`);
      localNames[i] = names;
    }
    return names;
  };
  const params: string[] = [];
  for (let i = 0; i < type.params.length; i++) params.push(...localVars(i));
  const localDecls: string[] = [];
  for (let i = type.params.length; i < localTypes.length; i++) {
    const t = localTypes[i];
    const init = t === ValType.funcref || t === ValType.externref ? 'null' : '0';
    for (const v of localVars(i)) localDecls.push(`${v}=${init}`);
  }

  // The compile-time operand stack. A slot may hold a deferred value instead of its variables:
  // a constant, a local's variables, or an expression tree over those (numeric operations and
  // loads whose operands were all deferred), used directly by the instruction that pops it, so
  // single-use values fold into their consumer as V8 likes it (smaller bytecode, more
  // inlining). Deferred values are written to their slot variables (materialized) before
  // anything that could change what they read: a local.set/tee of a local they read, and every
  // block, loop, if, else and end (so no materialization happens on only one control path).
  // Expressions that may trap or read memory ("effects": loads, integer division, float to
  // int) are also materialized before any later statement, so they keep their order with
  // stores, calls and other traps. Expressions never read slot variables, only locals.
  const stack: ValType[] = [];
  const deferred: (string[] | undefined)[] = [];
  /** For each deferred slot: the locals it reads, and whether it is an expression with effects. */
  const deferredReads: (number[] | undefined)[] = [];
  const deferredKind: DeferredKind[] = [];
  /** Upper bound on deferred effectful expressions on the stack (0: none, skip the scan). */
  let effects = 0;
  let flushing = false;
  const slotNames = (k: number, t: ValType = stack[k]): string[] => {
    const n = width(t);
    if ((E.slotWidths[k] ?? 0) < n) E.slotWidths[k] = n;
    return slotNamesFor(k, n);
  };
  const materialize = (k: number): void => {
    const d = deferred[k];
    if (d !== undefined) {
      deferred[k] = undefined;
      deferredReads[k] = undefined;
      deferredKind[k] = DeferredKind.Plain;
      emit(assign(slotNames(k), d));
    }
  };
  const materializeAll = (): void => {
    for (let k = 0; k < stack.length; k++) materialize(k);
  };
  /**
   * Materializes every deferred expression with effects below slot `limit`, in stack (=
   * evaluation) order; a consumer that evaluates the slots above last may leave them deferred.
   */
  function flushEffects(limit = stack.length): void {
    if (flushing) return;
    flushing = true;
    for (let k = 0; k < limit; k++) {
      if (deferredKind[k] === DeferredKind.Effect && deferred[k] !== undefined) materialize(k);
    }
    if (limit === stack.length) effects = 0;
    flushing = false;
  }
  const materializeLocal = (i: number): void => {
    let found = false;
    for (let k = 0; k < stack.length; k++) {
      if (deferred[k] !== undefined && deferredReads[k]?.includes(i)) {
        // An effectful reader must not overtake effects pushed before it.
        if (deferredKind[k] === DeferredKind.Effect && !found) flushEffects();
        found = true;
        materialize(k);
      }
    }
  };
  /** Materializes slot k if it holds an expression (before a use that would repeat it). */
  const materializeExpression = (k: number): void => {
    if (deferredKind[k] !== DeferredKind.Plain) {
      if (deferredKind[k] === DeferredKind.Effect) flushEffects();
      else materialize(k);
    }
  };
  /** The variables of slot k, materializing a deferred value first. */
  const slot = (k: number, t: ValType = stack[k]): string[] => {
    materialize(k);
    return slotNames(k, t);
  };
  /** What slot k holds right now, without materializing (for reads at this point only). */
  const read = (k: number, t: ValType = stack[k]): string[] => deferred[k] ?? slotNames(k, t);
  const push = (t: ValType): string[] => {
    stack.push(t);
    const k = stack.length - 1;
    deferred[k] = undefined;
    deferredReads[k] = undefined;
    deferredKind[k] = DeferredKind.Plain;
    return slotNames(k, t);
  };
  const pushDeferred = (
    t: ValType,
    values: string[],
    reads?: number[],
    kind = DeferredKind.Plain,
  ): void => {
    stack.push(t);
    const k = stack.length - 1;
    deferred[k] = values;
    deferredReads[k] = reads;
    deferredKind[k] = kind;
    if (kind === DeferredKind.Effect) effects++;
  };
  /** Pushes a deferred local read. */
  const pushLocal = (i: number): void => pushDeferred(localTypes[i], localVars(i), localReads(i));
  const pop = (): string[] => {
    const k = stack.length - 1;
    const v = read(k);
    deferred[k] = undefined;
    stack.pop();
    return v;
  };
  /**
   * Whether the top n slots all hold deferred values (no slot variable), and if so the locals
   * they read and the kind of an expression combining them.
   */
  const foldable = (n: number): { reads: number[]; kind: DeferredKind } | undefined => {
    let reads: number[] = [];
    let kind = DeferredKind.Pure;
    for (let k = stack.length - n; k < stack.length; k++) {
      if (deferred[k] === undefined) return undefined;
      const rk = deferredReads[k];
      if (rk !== undefined) reads = reads.length === 0 ? rk : reads.concat(rk);
      if (deferredKind[k] === DeferredKind.Effect) kind = DeferredKind.Effect;
    }
    // Long chains of reads stay cheap to check: past a few locals, do not fold.
    return reads.length > 8 ? undefined : { reads, kind };
  };
  const top = (): string[] => slot(stack.length - 1);
  /** The JS condition testing an i32 (or a BOOL-marked comparison) for non-zero. */
  const test = (v: string): string => (v.charCodeAt(0) === 3 ? v.slice(1) : `${v}!==0`);
  const literal = (x: string): string => (x.startsWith('-') ? `(${x})` : x);
  const assign = (dst: string[], src: string[]): string => {
    let s = '';
    for (let i = 0; i < dst.length; i++) if (dst[i] !== src[i]) s += `${dst[i]}=${src[i]};`;
    return s;
  };

  const frames: Frame[] = [];
  let labelCount = 0;
  /** Branches back to each loop emitted so far (see LOOP_POLL_MARK). */
  const backEdges = new Map<string, number>();
  const backEdge = (label: string): string => {
    if (!emitPolls) return '';
    backEdges.set(label, (backEdges.get(label) ?? 0) + 1);
    return `\u0003B${label}\u0003`;
  };
  const blockType = (bt: number): FuncType => {
    if (bt === -64) return { params: [], results: [] };
    if (bt < 0) return { params: [], results: [(128 + bt) as ValType] };
    return m.types[bt];
  };

  /** Copies the top `types.length` values into the slots starting at `base`. */
  const moveTo = (base: number, types: ValType[]): string => {
    let s = '';
    const from = stack.length - types.length;
    for (let i = 0; i < types.length; i++) {
      if (from + i !== base + i || deferred[from + i] !== undefined) {
        s += assign(slotNames(base + i, types[i]), read(from + i, types[i]));
      }
    }
    return s;
  };
  const returnCode = (): string => {
    const results = type.results;
    const from = stack.length - results.length;
    const flat: string[] = [];
    for (let i = 0; i < results.length; i++) flat.push(...read(from + i, results[i]));
    if (E.isChunk) {
      // All values through X; the enclosing function returns them.
      E.exits.add(-1);
      return `${flat.map((v, i) => `X[${i}]=${v};`).join('')}t1=-1;break Lx;`;
    }
    if (results.length === 0) return 'return;';
    let s = '';
    for (let i = 1; i < flat.length; i++) s += `X[${i - 1}]=${flat[i]};`;
    return `${s}return ${flat[0]};`;
  };
  /** Code that resumes after the end of a flattened nest's block. */
  const nestJump = (f: Frame): string => {
    const { group, k } = f.nest!;
    if (!group.inTails) return `${group.j}=${k};break ${group.inner};`;
    return k === 1 ? `break ${group.loop};` : `${group.j}=${k};continue ${group.loop};`;
  };
  const branchCode = (depth: number): string => {
    const index = frames.length - 1 - depth;
    const f = frames[index];
    if (f.nest !== undefined && index >= E.frameBase) return nestJump(f);
    if (f.kind === Kind.Func) return returnCode();
    if (index < E.frameBase) {
      const arity = f.kind === Kind.Loop ? f.params.length : f.results.length;
      if (arity !== 0) throw new NotOutlinable();
      E.exits.add(index + 1);
      return `t1=${index + 1};break Lx;`;
    }
    if (f.kind === Kind.Loop)
      return `${moveTo(f.base, f.params)}${backEdge(f.label)}continue ${f.label};`;
    return `${moveTo(f.base, f.results)}break ${f.label};`;
  };

  frames.push({
    kind: Kind.Func,
    label: 'L0',
    base: 0,
    params: [],
    results: type.results,
    saved: [],
    hasElse: false,
    endPos: body.end - 1,
    elsePos: -1,
  });
  if (emitPolls) emit(POLL);
  const splitting = body.end - body.start > SPLIT_BYTES;
  const blockEnds = splitting ? scanBlockEnds(r.bytes, body.start, body.end) : undefined;

  /** After an unconditional branch: skip to the matching else/end of the current frame. */
  let skipping = false;
  let deadDepth = 0;
  // Memory views are refreshed after calls (they may grow memory); functions that never touch
  // memory drop these refreshes and their view local at assembly.
  const memoryRefresh = info.hasMemory ? REFRESH : '';

  /** Whether the function calls anything (else its entry needs no interrupt poll). */
  let makesCalls = false;
  /** `growing` false: the callee cannot grow memory, so the view needs no refresh after it. */
  const callCode = (callee: string, ft: FuncType, growing = true): string => {
    makesCalls = true;
    const refresh = growing ? memoryRefresh : '';
    const args: string[] = [];
    const from = stack.length - ft.params.length;
    for (let i = 0; i < ft.params.length; i++) args.push(...read(from + i, ft.params[i]));
    stack.length = from;
    const call = `${callee}(${args.join(',')})`;
    if (ft.results.length === 0) return `${call};${refresh}`;
    const next = r.bytes[r.pos];
    if (ft.results.length === 1 && width(ft.results[0]) === 1 && (next === 0x21 || next === 0x22)) {
      // The result goes straight into the local of the next local.set / local.tee.
      r.pos++;
      const i = r.u32();
      E.used.add(i);
      E.written.add(i);
      materializeLocal(i);
      const v = localVars(i);
      if (next === 0x22) pushLocal(i);
      return `${v[0]}=${call};${refresh}`;
    }
    const flat: string[] = [];
    for (const t of ft.results) flat.push(...push(t));
    let s = `${flat[0]}=${call};`;
    for (let i = 1; i < flat.length; i++) s += `${flat[i]}=X[${i - 1}];`;
    return s + refresh;
  };

  const endFrame = (): void => {
    // Values below the frame were materialized when it began; after a branch the rest is dead.
    // The function's own end returns its results as they are.
    if (frames[frames.length - 1].kind === Kind.Func) {
      if (!skipping) {
        flushEffects(stack.length - 1);
        emit(returnCode());
      }
    } else if (!skipping) materializeAll();
    const f = frames.pop()!;
    stack.length = f.base;
    for (const t of f.results) push(t);
    if (f.nest !== undefined) {
      const { group, k } = f.nest;
      if (k === group.n) {
        group.inTails = true;
        emit(`${group.j}=${k};}${group.loop}:for(;;){switch(${group.j}){case ${k}:`);
      } else if (k > 1) emit(`case ${k}:`);
      else emit('}break;}');
      return;
    }
    switch (f.kind) {
      case Kind.Block:
      case Kind.If:
        emit('}');
        break;
      case Kind.Loop:
        emit('break;}');
        break;
      case Kind.Func:
        break;
    }
  };

  /** Outlines Wasm bytes [r.pos, stop) into a chunk and emits its call; false if impossible. */
  const outline = (stop: number): boolean => {
    materializeAll();
    const saved = { pos: r.pos, labels: labelCount, stackLength: stack.length, parent: E };
    const chunk = newEmitter(`${name}$c${chunks.length + 1}`, frames.length, r.pos, true);
    E = chunk;
    try {
      // Every exit leaves through the block Lx, so locals are handed back in one place.
      emit('t1=0;Lx:{');
      run(stop);
      emit(`}${WRITE_BACK}return t1;`);
      // Written locals are handed back through XL (a fixed-size Float64Array).
      if (chunk.written.size * 2 > XL_SIZE) throw new NotOutlinable();
    } catch (e) {
      if (!(e instanceof NotOutlinable)) throw e;
      E = saved.parent;
      r.pos = saved.pos;
      labelCount = saved.labels;
      stack.length = saved.stackLength;
      frames.length = chunk.frameBase;
      skipping = false;
      deadDepth = 0;
      return false;
    }
    E = saved.parent;
    chunks.push(chunk);
    skipping = false;
    deadDepth = 0;
    stack.length = saved.stackLength;
    E.outlined += stop - saved.pos;
    const locals = [...chunk.used].sort((a, b) => a - b);
    for (const i of chunk.used) E.used.add(i);
    for (const i of chunk.written) E.written.add(i);
    chunk.params = locals.flatMap(localVars);
    // Numbers go back through a Float64Array (no boxing), references through an array.
    const written = [...chunk.written].sort((a, b) => a - b);
    const cells: [string, string][] = [];
    let nums = 0;
    let refs = 0;
    for (const i of written) {
      const isRef = localTypes[i] === ValType.funcref || localTypes[i] === ValType.externref;
      for (const v of localVars(i)) cells.push([v, isRef ? `XR[${refs++}]` : `XL[${nums++}]`]);
    }
    chunk.writeBack = cells.map(([v, c]) => `${c}=${v};`).join('');
    let s = `t0=${chunk.name}(${chunk.params.join(',')});${cells.map(([v, c]) => `${v}=${c};`).join('')}${memoryRefresh}`;
    for (const code of chunk.exits) {
      if (code === -1) {
        if (E.isChunk) {
          E.exits.add(-1);
          s += `if(t0===-1){t1=-1;break Lx;}`;
        } else {
          let n = 0;
          for (const t of type.results) n += width(t);
          let ret = n === 0 ? 'return;' : 't1=X[0];';
          for (let i = 1; i < n; i++) ret += `X[${i - 1}]=X[${i}];`;
          if (n > 0) ret += 'return t1;';
          s += `if(t0===-1){${ret}}`;
        }
      } else if (code - 1 >= E.frameBase) {
        const f = frames[code - 1];
        const jump =
          f.nest !== undefined
            ? nestJump(f)
            : `${f.kind === Kind.Loop ? `${backEdge(f.label)}continue` : 'break'} ${f.label};`;
        s += `if(t0===${code}){${jump}}`;
      } else {
        E.exits.add(code);
        s += `if(t0===${code}){t1=${code};break Lx;}`;
      }
    }
    emit(s);
    // The call site itself counts against the budget (about 7 characters of JS per Wasm byte).
    E.outlined -= Math.ceil(s.length / 7);
    return true;
  };

  /** Whether to outline at this point (splitting mode, stack-neutral point, budget spent). */
  const tryOutline = (): boolean => {
    const f = frames[frames.length - 1];
    if (stack.length !== f.base || f.params.length !== 0) return false;
    const cost = r.pos - E.startPos - E.outlined;
    // The rest of the current block body, when the frame leaves nothing on the stack.
    const stop = f.kind === Kind.If && !f.hasElse && f.elsePos >= 0 ? f.elsePos : f.endPos;
    const tail = stop - r.pos;
    if (
      f.results.length === 0 &&
      stop > 0 &&
      tail >= MIN_CHUNK_BYTES &&
      tail <= SPLIT_BYTES &&
      stop <= regionStop &&
      cost + tail > SPLIT_BYTES
    ) {
      if (r.pos !== E.startPos || f !== frames[E.frameBase - 1]) return outline(stop);
    }
    // A run of whole blocks or loops with an empty block type (each is stack-neutral), as
    // many as fit in one chunk.
    if (E.isChunk && r.pos === E.startPos) return false;
    let end = r.pos;
    for (;;) {
      const op = r.bytes[end];
      if ((op !== 0x02 && op !== 0x03) || r.bytes[end + 1] !== 0x40) break;
      const blockEnd = blockEnds!.get(end)?.[0];
      if (blockEnd === undefined || blockEnd + 1 - r.pos > SPLIT_BYTES || blockEnd + 1 > regionStop)
        break;
      end = blockEnd + 1;
    }
    const size = end - r.pos;
    if (size >= MIN_CHUNK_BYTES && cost + size > SPLIT_BYTES) return outline(end);
    return false;
  };

  /** End of the region the current run() emits (a chunk must not reach past it). */
  let regionStop = body.end;
  const run = (stop: number): void => {
    const outerStop = regionStop;
    regionStop = stop;
    try {
      runUntil(stop);
    } finally {
      regionStop = outerStop;
    }
  };
  const runUntil = (stop: number): void => {
    while (r.pos < stop) {
      if (splitting && !skipping && tryOutline()) continue;
      at = r.pos;
      const key = readOpcode(r);
      const op = opcodeInfo(r, key, at);
      if (skipping) {
        if (key === 0x02 || key === 0x03 || key === 0x04) {
          deadDepth++;
          skipImmediates(r, op);
          continue;
        }
        if (key === 0x0b && deadDepth > 0) {
          deadDepth--;
          continue;
        }
        if (key === 0x05 && deadDepth > 0) continue;
        if (key !== 0x0b && key !== 0x05) {
          skipImmediates(r, op);
          continue;
        }
        // The current frame's else/end: code after it is reachable again.
      }
      switch (key) {
        case 0x00: // unreachable
          emit('trap("unreachable");');
          skipping = true;
          break;
        case 0x01: // nop
          break;
        case 0x02: // block
        case 0x03: // loop
        case 0x04: {
          // if
          const bt = blockType(r.s33());
          if (key !== 0x04) materializeAll();
          if (key === 0x02 && bt.params.length === 0 && bt.results.length === 0) {
            let n = 1;
            while (
              r.bytes[r.pos + 2 * (n - 1)] === 0x02 &&
              r.bytes[r.pos + 2 * (n - 1) + 1] === 0x40
            )
              n++;
            if (n >= NEST_MIN) {
              const id = ++labelCount;
              const group: Nest = {
                n,
                j: `j${id}`,
                inner: `N${id}`,
                loop: `Q${id}`,
                inTails: false,
              };
              E.declared.add(group.j);
              for (let k = 1; k <= n; k++) {
                const start = at + 2 * (k - 1);
                frames.push({
                  kind: Kind.Block,
                  label: `L${id}_${k}`,
                  base: stack.length,
                  params: [],
                  results: [],
                  saved: [],
                  hasElse: false,
                  endPos: blockEnds?.get(start)?.[0] ?? -1,
                  elsePos: -1,
                  nest: { group, k },
                });
              }
              r.pos += 2 * (n - 1);
              emit(`${group.inner}:{`);
              break;
            }
          }
          const label = `L${++labelCount}`;
          let cond = '';
          if (key === 0x04) {
            cond = pop()[0];
            materializeAll();
          }
          const base = stack.length - bt.params.length;
          const frame: Frame = {
            kind: key === 0x02 ? Kind.Block : key === 0x03 ? Kind.Loop : Kind.If,
            label,
            base,
            params: bt.params,
            results: bt.results,
            saved: [],
            hasElse: false,
            endPos: blockEnds?.get(at)?.[0] ?? -1,
            elsePos: blockEnds?.get(at)?.[1] ?? -1,
          };
          frames.push(frame);
          if (key === 0x02) emit(`${label}:{`);
          else if (key === 0x03)
            emit(`${label}:for(;;){${emitPolls ? `\u0003H${label}\u0003` : ''}`);
          else {
            let save = '';
            for (let i = 0; i < bt.params.length; i++) {
              const vars = slot(base + i, bt.params[i]);
              for (const v of vars) {
                const s = `e${label}_${v}`;
                E.declared.add(s);
                frame.saved.push(s);
                save += `${s}=${v};`;
              }
            }
            emit(`${save}${label}:if(${test(cond)}){`);
          }
          break;
        }
        case 0x05: {
          // else
          if (!skipping) materializeAll();
          const f = frames[frames.length - 1];
          skipping = false;
          f.hasElse = true;
          stack.length = f.base;
          let restore = '';
          let k = 0;
          for (const t of f.params) for (const v of push(t)) restore += `${v}=${f.saved[k++]};`;
          emit(`}else{${restore}`);
          break;
        }
        case 0x0b: // end
          endFrame();
          skipping = false;
          break;
        case 0x0c: // br
          flushEffects(stack.length - 1);
          emit(branchCode(r.u32()));
          skipping = true;
          break;
        case 0x0d: {
          // br_if
          const depth = r.u32();
          // The condition is evaluated after earlier effects, before the branch moves values.
          const cond = pop()[0];
          flushEffects();
          emit(`if(${test(cond)}){${branchCode(depth)}}`);
          break;
        }
        case 0x0e: {
          // br_table
          const n = r.u32();
          const targets: number[] = [];
          for (let i = 0; i < n; i++) targets.push(r.u32());
          const dflt = r.u32();
          const index = pop()[0];
          flushEffects();
          const cases = new Map<number, number[]>();
          targets.forEach((t, i) => {
            if (t === dflt) return;
            const list = cases.get(t);
            if (list) list.push(i);
            else cases.set(t, [i]);
          });
          let s = `switch(${index}){`;
          for (const [t, list] of cases) {
            s += list.map((i) => `case ${i}:`).join('') + branchCode(t);
          }
          s += `default:${branchCode(dflt)}}`;
          emit(s);
          skipping = true;
          break;
        }
        case 0x0f: // return
          // The last result is evaluated last (returned after the others are stored).
          flushEffects(stack.length - 1);
          emit(returnCode());
          skipping = true;
          break;
        case 0x10: {
          // call
          const f = r.u32();
          // A self-call names the function itself: a direct call V8 can inline.
          emit(
            callCode(
              f === funcIndex && !E.isChunk ? name : `F[${f}]`,
              info.funcTypes[f],
              info.hasMemory && callMayGrowMemory(info, f),
            ),
          );
          break;
        }
        case 0x11: {
          // call_indirect
          const typeIndex = r.u32();
          const table = r.u32();
          usedTables.add(table);
          const index = pop()[0];
          emit(
            callCode(`callee(T${table},${index},${info.typeIds[typeIndex]})`, m.types[typeIndex]),
          );
          break;
        }
        case 0x1a: // drop
          // A dropped load or trapping operation still runs.
          if (deferredKind[stack.length - 1] === DeferredKind.Effect) flushEffects();
          pop();
          break;
        case 0x1b: // select
        case 0x1c: {
          // select t
          if (key === 0x1c) skipImmediates(r, op);
          // b is assigned conditionally: it must not be an expression with effects.
          for (let k = stack.length - 3; k < stack.length; k++) {
            if (deferredKind[k] === DeferredKind.Effect) flushEffects();
          }
          // Integers select without a branch, as native code does with cmov: compilers emit
          // select where the condition is unpredictable (a CRC's bits: coremark ~25% faster).
          const type = stack[stack.length - 2];
          const integer = type === ValType.i32 || type === ValType.i64;
          if (type === ValType.i32 && selectXor()) break;
          if (integer) materializeExpression(stack.length - 2); // b is read twice
          const c = pop()[0];
          const b = pop();
          const a = top();
          if (integer) {
            let s = `t0=${selectMask(c, true)};`;
            for (let i = 0; i < a.length; i++) s += `${a[i]}=${b[i]}^((${a[i]}^${b[i]})&t0);`;
            emit(s);
          } else {
            const keep = c.charCodeAt(0) === 3 ? `!${c.slice(1)}` : `${c}===0`;
            emit(`if(${keep}){${assign(a, b)}}`);
          }
          break;
        }
        case 0x20: {
          // local.get
          const i = r.u32();
          E.used.add(i);
          pushLocal(i);
          break;
        }
        case 0x21: // local.set
        case 0x22: {
          // local.tee: the same, and the local's new value stays on the stack
          const i = r.u32();
          E.used.add(i);
          E.written.add(i);
          const v = pop();
          materializeLocal(i);
          emit(assign(localVars(i), v));
          if (key === 0x22) pushLocal(i);
          break;
        }
        case 0x23: {
          // global.get
          const g = r.u32();
          usedGlobals.add(g);
          const t = info.globalTypes[g].valType;
          const fields = ['v', 'h', 'x', 'y'];
          const vars = push(t);
          emit(vars.map((v, i) => `${v}=g${g}.${fields[i]};`).join(''));
          break;
        }
        case 0x24: {
          // global.set
          const g = r.u32();
          usedGlobals.add(g);
          const fields = ['v', 'h', 'x', 'y'];
          const vars = pop();
          emit(vars.map((v, i) => `g${g}.${fields[i]}=${v};`).join(''));
          break;
        }
        case 0x25: {
          // table.get
          const t = r.u32();
          usedTables.add(t);
          const i = pop()[0];
          const v = push(info.tableTypes[t].elemType)[0];
          emit(`${v}=tableGet(T${t},${i});`);
          break;
        }
        case 0x26: {
          // table.set
          const t = r.u32();
          usedTables.add(t);
          const v = pop()[0];
          const i = pop()[0];
          emit(`tableSet(T${t},${i},${v});`);
          break;
        }
        case 0x3f: // memory.size
          r.u8();
          emit(`${push(ValType.i32)[0]}=MS.pages;`);
          break;
        case 0x40: {
          // memory.grow
          r.u8();
          const v = top()[0];
          emit(`${v}=MS.grow(${v});${REFRESH}`);
          break;
        }
        case 0x41: // i32.const
          pushDeferred(ValType.i32, [literal(String(r.s32()))]);
          break;
        case 0x42: {
          // i64.const
          const v = r.s64();
          pushDeferred(ValType.i64, [
            literal(String(Number(BigInt.asIntN(32, v)))),
            literal(String(Number(BigInt.asIntN(32, v >> 32n)))),
          ]);
          break;
        }
        case 0x43: {
          // f32.const
          const bits = r.f32Bits() | 0;
          f32bits[0] = bits;
          const x = f32buf[0];
          pushDeferred(ValType.f32, [x !== x ? `f32frombits(${bits})` : literal(fmtNum(x))]);
          break;
        }
        case 0x44: {
          // f64.const
          const [lo, hi] = r.f64Bits();
          f64bits[0] = lo;
          f64bits[1] = hi;
          const x = f64buf[0];
          pushDeferred(ValType.f64, [
            x !== x ? `f64frombits(${lo | 0},${hi | 0})` : literal(fmtNum(x)),
          ]);
          break;
        }
        case 0xd0: // ref.null
          emit(`${push(r.u8() as ValType)[0]}=null;`);
          break;
        case 0xd1: {
          // ref.is_null
          const v = pop()[0];
          emit(`${push(ValType.i32)[0]}=(${v}===null)|0;`);
          break;
        }
        case 0xd2: // ref.func
          emit(`${push(ValType.funcref)[0]}=RF[${r.u32()}];`);
          break;
        default:
          emitOther(key);
      }
    }
  };
  run(body.end);

  /**
   * select of x and x^k (either way round, k a local or a constant), as a CRC step computes
   * it: the result is x^(k&mask), one xor fewer than the general form, which V8 does not
   * simplify. Returns false (nothing consumed) when the operands have another form.
   */
  function selectXor(): boolean {
    const k = stack.length - 3;
    // A local, a slot or a constant; never a template temporary (t0 is the mask itself).
    const simple = /^(?:[a-su-z][a-z]*\d+|-?\d+|\(-\d+\))$/;
    const plain = (j: number): string | undefined => {
      const v = read(j)[0];
      return deferredKind[j] === DeferredKind.Plain && simple.test(v) ? v : undefined;
    };
    const xorOf = (j: number, x: string): string | undefined => {
      const d = deferred[j];
      if (d === undefined || deferredKind[j] !== DeferredKind.Pure) return undefined;
      const prefix = `(${x}^`;
      if (!d[0].startsWith(prefix) || !d[0].endsWith(')')) return undefined;
      const y = d[0].slice(prefix.length, -1);
      return simple.test(y) ? y : undefined;
    };
    const a = plain(k);
    const b = plain(k + 1);
    const fromB = b !== undefined ? xorOf(k, b) : undefined; // a = b^y
    const fromA = fromB === undefined && a !== undefined ? xorOf(k + 1, a) : undefined; // b = a^y
    if (fromB === undefined && fromA === undefined) return false;
    const c = pop()[0];
    pop();
    pop();
    const res = push(ValType.i32)[0];
    // a = b^y: take y when the condition holds; b = a^y: take y when it does not.
    if (fromB !== undefined) emit(`t0=${selectMask(c, true)};${res}=${b}^(${fromB}&t0);`);
    else emit(`t0=${selectMask(c, false)};${res}=${a}^(${fromA}&t0);`);
    return true;
  }

  function emitOther(key: number): void {
    const op = opcodeInfo(r, key, at);
    const name = op.name;
    if (op.immediate === 'memarg' && key < 0x100) {
      E.usesMemory = true;
      r.u32(); // alignment hint
      const offset = r.u32();
      const load = loadTemplates[name];
      const template = load ?? storeTemplates[name];
      const mem = memoryTemplate(name, template);
      // A single access without offset takes the i32 address as is, signed: V8 compiles the
      // int32 index tighter than `a>>>0` (the interp kernel ~25% faster). A negative index is
      // an address >= 2 GiB: out of bounds (DataView throws) while the memory is at most
      // 2 GiB; above that, MemoryStore hands out a view that reads it as unsigned. Two
      // accesses (`$e+4`) keep the unsigned form, so an i64 store never writes half its value.
      const address = (a: string): string =>
        /^\(?-?\d+\)?$/.test(a)
          ? String((Number(a.replace(/[()]/g, '')) >>> 0) + offset)
          : offset !== 0
            ? `((${a}>>>0)+${offset})`
            : template.includes('$e+')
              ? `(${a}>>>0)`
              : a;
      // values: 0 $e, 1 $r/$v, 2 $rh/$vh
      const values: string[] = ['', '', ''];
      // An operand used more than once must not be an expression (it would be repeated).
      let uses0 = 0;
      let uses1 = 0;
      for (let i = 1; i < mem.length; i += 2) {
        if (mem[i] === 0) uses0++;
        else if (mem[i] === 1) uses1++;
      }
      if (load !== undefined) {
        if (uses0 > 1) materializeExpression(stack.length - 1);
        const next = r.bytes[r.pos];
        const single = singleLoad(load);
        const fold = single && next !== 0x21 && next !== 0x22 ? foldable(1) : undefined;
        const a = pop()[0];
        values[0] = address(a);
        const type = op.sig!.endsWith('I') ? ValType.i64 : ValType.i32;
        if (fold !== undefined) {
          // The load becomes an expression read where its value is used.
          const expr = load.slice(3, -1).split('$e').join(values[0]);
          pushDeferred(type, [`(${expr})`], fold.reads, DeferredKind.Effect);
          return;
        }
        let res: string[];
        if ((next === 0x21 || next === 0x22) && single) {
          // Loaded straight into the local of the next local.set / local.tee.
          r.pos++;
          const i = r.u32();
          E.used.add(i);
          E.written.add(i);
          materializeLocal(i);
          res = localVars(i);
          if (next === 0x22) pushLocal(i);
        } else res = push(type);
        values[1] = res[0];
        values[2] = res[1];
      } else {
        if (uses1 > 1) materializeExpression(stack.length - 1);
        if (uses0 > 1) materializeExpression(stack.length - 2);
        const v = pop();
        values[1] = v[0];
        values[2] = v[1];
        const a = pop()[0];
        values[0] = address(a);
      }
      const parts = mem;
      let out = parts[0] as string;
      for (let i = 1; i < parts.length; i += 2)
        out += values[parts[i] as number] + (parts[i + 1] as string);
      emit(out);
      return;
    }
    const template = numericTemplates[name];
    if (template !== undefined) {
      let compiled = compiledTemplate(name, template, op.sig!);
      if (compiled.operands === 2) {
        // An i64 operation with a constant right operand may have a cheaper form (chosen
        // before operands are materialized: the special form may use them differently).
        const right = read(stack.length - 1);
        if (right[1] !== undefined) {
          const special = constantOperandTemplate(name, right[0], right[1]);
          if (special !== undefined)
            compiled = compiledTemplate(special.key, special.template, op.sig!);
        }
      }
      const values: string[] = [];
      const n = compiled.operands;
      for (let i = 0; i < n; i++) {
        if (compiled.repeats[i]) materializeExpression(stack.length - n + i);
      }
      const next = r.bytes[r.pos];
      const fold = compiled.foldable && next !== 0x21 && next !== 0x22 ? foldable(n) : undefined;
      for (let i = compiled.operands - 1; i >= 0; i--) {
        const v = pop();
        values[2 * i] = v[0];
        values[2 * i + 1] = v[1];
      }
      if (
        compiled.condition !== undefined &&
        (next === 0x0d || next === 0x04 || next === 0x1b || next === 0x1c)
      ) {
        // Consumed right away by br_if / if / select: test the comparison itself.
        const parts = compiled.condition;
        let cond = BOOL + (parts[0] as string);
        for (let i = 1; i < parts.length; i += 2)
          cond += values[parts[i] as number] + (parts[i + 1] as string);
        pushDeferred(ValType.i32, [cond]);
        return;
      }
      if (fold !== undefined) {
        // All operands were deferred: the result is an expression over them.
        const parts = compiled.parts;
        // parts: '', 4 ($r), '=' + text, ..., ';'
        let expr = (parts[2] as string).slice(1);
        for (let i = 3; i < parts.length; i += 2)
          expr += values[parts[i] as number] + (parts[i + 1] as string);
        const kind = compiled.traps || fold.kind === DeferredKind.Effect;
        pushDeferred(
          compiled.result,
          [`(${expr.slice(0, -1)})`],
          fold.reads,
          kind ? DeferredKind.Effect : DeferredKind.Pure,
        );
        return;
      }
      let res: string[];
      if (compiled.single && (next === 0x21 || next === 0x22)) {
        // A single expression stored by the next local.set / local.tee goes straight into the
        // local (the expression is evaluated before the assignment, so it may read it).
        r.pos++;
        const i = r.u32();
        E.used.add(i);
        E.written.add(i);
        materializeLocal(i);
        res = localVars(i);
        if (next === 0x22) pushLocal(i);
      } else res = push(compiled.result);
      values[4] = res[0];
      values[5] = res[1];
      const parts = compiled.parts;
      let out = parts[0] as string;
      for (let i = 1; i < parts.length; i += 2)
        out += values[parts[i] as number] + (parts[i + 1] as string);
      emit(out);
      return;
    }
    switch (name) {
      case 'memory.init': {
        const seg = r.u32();
        r.u8();
        const n = pop()[0];
        const s = pop()[0];
        const d = pop()[0];
        emit(`memoryInit(MS,DA[${seg}],${d},${s},${n});`);
        return;
      }
      case 'data.drop':
        emit(`DA[${r.u32()}]=EMPTY8;`);
        return;
      case 'memory.copy': {
        r.u8();
        r.u8();
        const n = pop()[0];
        const s = pop()[0];
        const d = pop()[0];
        emit(`memoryCopy(MS,${d},${s},${n});`);
        return;
      }
      case 'memory.fill': {
        r.u8();
        const n = pop()[0];
        const v = pop()[0];
        const d = pop()[0];
        emit(`memoryFill(MS,${d},${v},${n});`);
        return;
      }
      case 'table.init': {
        const seg = r.u32();
        const t = r.u32();
        usedTables.add(t);
        const n = pop()[0];
        const s = pop()[0];
        const d = pop()[0];
        emit(`tableInit(T${t},EL[${seg}],${d},${s},${n});`);
        return;
      }
      case 'elem.drop':
        emit(`EL[${r.u32()}]=EMPTYA;`);
        return;
      case 'table.copy': {
        const dst = r.u32();
        const src = r.u32();
        usedTables.add(dst);
        usedTables.add(src);
        const n = pop()[0];
        const s = pop()[0];
        const d = pop()[0];
        emit(`tableCopy(T${dst},T${src},${d},${s},${n});`);
        return;
      }
      case 'table.grow': {
        const t = r.u32();
        usedTables.add(t);
        const n = pop()[0];
        const init = pop()[0];
        emit(`${push(ValType.i32)[0]}=tableGrow(T${t},${init},${n});`);
        return;
      }
      case 'table.size': {
        const t = r.u32();
        usedTables.add(t);
        emit(`${push(ValType.i32)[0]}=T${t}.elems.length;`);
        return;
      }
      case 'table.fill': {
        const t = r.u32();
        usedTables.add(t);
        const n = pop()[0];
        const v = pop()[0];
        const i = pop()[0];
        emit(`tableFill(T${t},${i},${v},${n});`);
        return;
      }
    }
    if (key >> 8 === 0xfd) {
      if (op.immediate === 'memarg' || op.immediate === 'memarg_lane') E.usesMemory = true;
      emit(simdOp(op, r, { pop, push }));
      return;
    }
    r.fail(`unsupported instruction ${name}`, at);
  }

  // Assemble: preamble binding helpers, globals and tables, then the function.
  // Only the helpers the code names are bound (smaller closures, less work per instance).
  const helpers = new Set<string>();
  helperPattern ??= new RegExp(`\\b(?:${HELPER_NAMES.join('|')})\\b`, 'g');
  for (const e of [...chunks, E]) {
    for (const line of e.lines) for (const m of line.matchAll(helperPattern)) helpers.add(m[0]);
  }
  if (emitPolls) helpers.add('poll');
  // The i64.mul window (numeric.ts): the exact form runs at every product of the first call,
  // so V8 has type feedback for it when it optimizes the function. Otherwise the optimized
  // code deoptimized at each site's first rare product, in a long call falling back to
  // unoptimized and on-stack-replaced code (hash64: the benchmark's first calls 40-60 ms
  // instead of 27). The main function reads the mask into a local (V8 hoists no context
  // loads out of loops); chunks, called after the first entry, take the final mask.
  const mulWindow = [...chunks, E].some((e) => e.lines.some((l) => l.includes(MUL_WINDOW)));
  const pre: string[] = [
    '"use strict";',
    helpers.size > 0 ? `const {${[...helpers].join(',')}}=R;` : ';',
    'const F=I.f,MS=I.mem,RF=I.refs,EL=I.e,DA=I.d;' + (mulWindow ? 'let MW0=0;' : ''),
  ];
  // The interrupt flag is bound once per function and instance (at its first call).
  if (emitPolls) pre.push('const IF=R.interrupt.flag;');
  for (const g of usedGlobals) pre.push(`const g${g}=I.g[${g}];`);
  for (const t of usedTables) pre.push(`const T${t}=I.t[${t}];`);
  // Bound view: a function that neither calls nor grows memory (and is not split) reads
  // memory through a view bound once in the factory, `const M`, instead of a local copy taken
  // at each entry. V8 then treats the view as a constant (with one closure per factory it
  // specializes on the context): the interp kernel ran ~30% faster, string ~8%. Memory can
  // only grow while no such function is running, so checking at entry that the view is still
  // the memory's keeps it right: a stale function has the instance rebind it (a fresh closure
  // from the factory) and calls that instead.
  // Either form takes one preamble line and one head line: both have the same line offsets.
  const bindable =
    E.usesMemory && chunks.length === 0 && !E.lines.some((line) => line.includes(REFRESH));
  const boundView = bindable && bindView;
  // The function reads the bound view through a local alias (`const M=MV`): in on-stack-
  // replaced code (a long-running call, where V8 does not specialize on the context) a local
  // is one value for the whole function, so its map check and length load are not repeated
  // at every access after each context load (coremark, run once per call: ~15% faster).
  // The view is current until the memory, growing, sets MOK to undefined. `MOK===void 0` needs
  // no V8 type feedback (unlike reading MS.dv: a function's first call records no feedback, V8
  // allocating it later, and code optimized before a second call deoptimized at the entry; the
  // interp kernel then stayed in slow on-stack-replaced code, ~2x its time, in about half the
  // runs) and compiles to one comparison with a constant.
  if (bindable) {
    pre.push(boundView ? 'const MV=MS.dv;let MOK=0;MS.onNextGrow(()=>{MOK=void 0;});' : '');
  }
  const all: string[] = [...pre];
  const lineOffsets: number[] = new Array(pre.length).fill(body.start);
  const addFunction = (e: Emitter, header: string, vars: string[], close = '}'): void => {
    const head: string[] = [header];
    // One string for the body (newlines keep the line numbering) so placeholders are
    // substituted in one pass.
    const text = e.lines.join('\n');
    const usesMemory = e.usesMemory;
    if (usesMemory && !(boundView && e === E)) head.push('let M=MS.dv;');
    if (boundView && e === E) {
      head.push(
        `if(MOK===void 0)return I.rebind(${funcIndex},${name})(${params.join(',')});const M=MV;`,
      );
    }
    if (mulWindow && text.includes(MUL_WINDOW)) {
      head.push(e === E ? 'const MW=MW0;MW0=-4096;' : 'const MW=-4096;');
    }
    const refreshWith = usesMemory ? 'M=MS.dv;' : '';
    const decls: string[] = [];
    e.slotWidths.forEach((n, k) => {
      for (const v of slotNamesFor(k, n)) decls.push(`${v}=0`);
    });
    for (const v of e.declared) decls.push(`${v}=0`);
    decls.push(...vars);
    if (decls.length > 0) head.push(`let ${decls.join(',')};`);
    // The temporaries of templates and chunk exits, as far as the code uses them.
    const temps = new Set<string>();
    for (const m of text.matchAll(/\bt[0-6]\b/g)) temps.add(m[0]);
    if (temps.size > 0) head.push(`let ${[...temps].map((t) => `${t}=0`).join(',')};`);
    let body = text;
    if (body.includes(WRITE_BACK)) body = body.split(WRITE_BACK).join(e.writeBack ?? '');
    if (body.includes(REFRESH)) body = body.split(REFRESH).join(refreshWith);
    if (body.includes('\u0003')) {
      body = body.replace(LOOP_POLL_MARK, (_, at: string, label: string) =>
        (backEdges.get(label) === 1) === (at === 'B') ? POLL : '',
      );
    }
    all.push(...head);
    if (e.lines.length > 0) all.push(body);
    all.push(close);
    lineOffsets.push(...new Array(head.length).fill(e.startPos), ...e.offsets, e.startPos);
  };
  for (const c of chunks) {
    const own = new Set(c.params);
    // Locals a chunk writes without receiving them still need declarations.
    const missing = [...c.used].flatMap(localVars).filter((v) => !own.has(v));
    addFunction(
      c,
      `function ${c.name}(${c.params!.join(',')}){`,
      missing.map((v) => `${v}=0`),
    );
  }
  // A function that calls nothing runs for a bounded time apart from its loops, which poll
  // themselves: only functions that call need the poll at entry (any unbounded recursion
  // passes through them).
  if (!makesCalls && E.lines[0] === POLL) E.lines[0] = '';
  // Parenthesized, V8 compiles the function eagerly with the factory (it is about to be
  // called) instead of pre-parsing it now and parsing it again at its first call.
  addFunction(E, `return (function ${name}(${params.join(',')}){`, localDecls, '});');
  return { name, source: all.join('\n'), lineOffsets, boundView };
}

/** The i64.mul template's rare-case test, naming the window mask MW. */
const MUL_WINDOW = '&MW)===0)';

let helperPattern: RegExp | undefined;

/** Helper names generated code may bind (exports of runtime/exec/helpers.ts). */
export const HELPER_NAMES = [
  'trap',
  'ctz32',
  'popcnt32',
  'divs32',
  'divu32',
  'rems32',
  'remu32',
  'mul64',
  'divs64',
  'divu64',
  'rems64',
  'remu64',
  'shl64',
  'shru64',
  'shrs64',
  'rotl64',
  'rotr64',
  'clz64',
  'ctz64',
  'truncs32',
  'truncu32',
  'truncsats32',
  'truncsatu32',
  'truncs64',
  'truncu64',
  'truncsats64',
  'truncsatu64',
  'convu64f32',
  'convs64f32',
  'nearest',
  'fmin',
  'fmax',
  'copysign',
  'f32bits',
  'f32frombits',
  'f64bits',
  'f64frombits',
  'callee',
  'tableGet',
  'tableSet',
  'tableGrow',
  'tableFill',
  'tableCopy',
  'tableInit',
  'memoryInit',
  'memoryCopy',
  'memoryFill',
  'poll',
  'EMPTY8',
  'XL',
  'XR',
  'EMPTYA',
  'V',
  'simd',
];
