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
import { loadTemplates, numericTemplates, storeTemplates } from './numeric';
import { simdOp } from './simd';

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
}

const width = (t: ValType): number => (t === ValType.i64 ? 2 : t === ValType.v128 ? 4 : 1);
const suffixes = ['s', 'h', 'x', 'y'];
const localSuffixes = ['l', 'lh', 'lx', 'ly'];

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

export function generateFunction(info: ModuleInfo, funcIndex: number): GeneratedFunction {
  const m = info.module;
  const defined = funcIndex - info.importedFuncs;
  const body = m.codes[defined];
  const type = info.funcTypes[funcIndex];
  const name = jsName(info.moduleId, funcIndex, info.funcNames[funcIndex]);
  const r = new BinaryReader(m.bytes, body.start, body.end);

  const lines: string[] = [];
  const offsets: number[] = [];
  let at = body.start;
  const emit = (s: string): void => {
    lines.push(s);
    offsets.push(at);
  };
  const declared = new Set<string>();
  const usedGlobals = new Set<number>();
  const usedTables = new Set<number>();

  // Locals.
  const localTypes: ValType[] = [...type.params];
  for (const g of body.locals) for (let i = 0; i < g.count; i++) localTypes.push(g.type);
  const localVars = (i: number): string[] => {
    const n = width(localTypes[i]);
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(`${localSuffixes[k]}${i}`);
    return out;
  };
  const params: string[] = [];
  for (let i = 0; i < type.params.length; i++) params.push(...localVars(i));
  const localDecls: string[] = [];
  for (let i = type.params.length; i < localTypes.length; i++) {
    const t = localTypes[i];
    const init = t === ValType.funcref || t === ValType.externref ? 'null' : '0';
    for (const v of localVars(i)) localDecls.push(`${v}=${init}`);
  }

  // The compile-time operand stack.
  const stack: ValType[] = [];
  const slot = (k: number, t: ValType = stack[k]): string[] => {
    const n = width(t);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const v = `${suffixes[i]}${k}`;
      declared.add(v);
      out.push(v);
    }
    return out;
  };
  const push = (t: ValType): string[] => {
    stack.push(t);
    return slot(stack.length - 1, t);
  };
  const pop = (): string[] => {
    const k = stack.length - 1;
    const v = slot(k);
    stack.pop();
    return v;
  };
  const top = (): string[] => slot(stack.length - 1);
  const assign = (dst: string[], src: string[]): string => {
    let s = '';
    for (let i = 0; i < dst.length; i++) if (dst[i] !== src[i]) s += `${dst[i]}=${src[i]};`;
    return s;
  };

  const frames: Frame[] = [];
  let labelCount = 0;
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
      if (from + i !== base + i) s += assign(slot(base + i, types[i]), slot(from + i, types[i]));
    }
    return s;
  };
  const returnCode = (): string => {
    const results = type.results;
    if (results.length === 0) return 'return;';
    const from = stack.length - results.length;
    const flat: string[] = [];
    for (let i = 0; i < results.length; i++) flat.push(...slot(from + i, results[i]));
    let s = '';
    for (let i = 1; i < flat.length; i++) s += `X[${i - 1}]=${flat[i]};`;
    return `${s}return ${flat[0]};`;
  };
  const branchCode = (depth: number): string => {
    const f = frames[frames.length - 1 - depth];
    if (f.kind === Kind.Func) return returnCode();
    if (f.kind === Kind.Loop) return `${moveTo(f.base, f.params)}continue ${f.label};`;
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
  });
  emit('if(IF[0]!==0)poll(IF);');

  /** After an unconditional branch: skip to the matching else/end of the current frame. */
  let skipping = false;
  let deadDepth = 0;
  const refresh = info.hasMemory ? 'M=MS.dv;' : '';

  const callCode = (callee: string, ft: FuncType): string => {
    const args: string[] = [];
    const from = stack.length - ft.params.length;
    for (let i = 0; i < ft.params.length; i++) args.push(...slot(from + i, ft.params[i]));
    stack.length = from;
    const call = `${callee}(${args.join(',')})`;
    if (ft.results.length === 0) return `${call};${refresh}`;
    const flat: string[] = [];
    for (const t of ft.results) flat.push(...push(t));
    let s = `${flat[0]}=${call};`;
    for (let i = 1; i < flat.length; i++) s += `${flat[i]}=X[${i - 1}];`;
    return s + refresh;
  };

  const endFrame = (): void => {
    const f = frames.pop()!;
    stack.length = f.base;
    for (const t of f.results) push(t);
    switch (f.kind) {
      case Kind.Block:
      case Kind.If:
        emit('}');
        break;
      case Kind.Loop:
        emit('break;}');
        break;
      case Kind.Func:
        if (!skipping) emit(returnCode());
        break;
    }
  };

  while (r.pos < r.end) {
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
        const label = `L${++labelCount}`;
        let cond = '';
        if (key === 0x04) cond = pop()[0];
        const base = stack.length - bt.params.length;
        const frame: Frame = {
          kind: key === 0x02 ? Kind.Block : key === 0x03 ? Kind.Loop : Kind.If,
          label,
          base,
          params: bt.params,
          results: bt.results,
          saved: [],
          hasElse: false,
        };
        frames.push(frame);
        if (key === 0x02) emit(`${label}:{`);
        else if (key === 0x03) emit(`${label}:for(;;){if(IF[0]!==0)poll(IF);`);
        else {
          let save = '';
          for (let i = 0; i < bt.params.length; i++) {
            const vars = slot(base + i, bt.params[i]);
            for (const v of vars) {
              const s = `e${label}_${v}`;
              declared.add(s);
              frame.saved.push(s);
              save += `${s}=${v};`;
            }
          }
          emit(`${save}${label}:if(${cond}!==0){`);
        }
        break;
      }
      case 0x05: {
        // else
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
        emit(branchCode(r.u32()));
        skipping = true;
        break;
      case 0x0d: {
        // br_if
        const depth = r.u32();
        const cond = pop()[0];
        emit(`if(${cond}!==0){${branchCode(depth)}}`);
        break;
      }
      case 0x0e: {
        // br_table
        const n = r.u32();
        const targets: number[] = [];
        for (let i = 0; i < n; i++) targets.push(r.u32());
        const dflt = r.u32();
        const index = pop()[0];
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
        emit(returnCode());
        skipping = true;
        break;
      case 0x10: {
        // call
        const f = r.u32();
        emit(callCode(`F[${f}]`, info.funcTypes[f]));
        break;
      }
      case 0x11: {
        // call_indirect
        const typeIndex = r.u32();
        const table = r.u32();
        usedTables.add(table);
        const index = pop()[0];
        emit(callCode(`callee(T${table},${index},${info.typeIds[typeIndex]})`, m.types[typeIndex]));
        break;
      }
      case 0x1a: // drop
        pop();
        break;
      case 0x1b: // select
      case 0x1c: {
        // select t
        if (key === 0x1c) skipImmediates(r, op);
        const c = pop()[0];
        const b = pop();
        const a = top();
        emit(`if(${c}===0){${assign(a, b)}}`);
        break;
      }
      case 0x20: {
        // local.get
        const i = r.u32();
        emit(assign(push(localTypes[i]), localVars(i)));
        break;
      }
      case 0x21: {
        // local.set
        const i = r.u32();
        emit(assign(localVars(i), pop()));
        break;
      }
      case 0x22: {
        // local.tee
        const i = r.u32();
        emit(assign(localVars(i), top()));
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
        emit(`${v}=MS.grow(${v});M=MS.dv;`);
        break;
      }
      case 0x41: // i32.const
        emit(`${push(ValType.i32)[0]}=${r.s32()};`);
        break;
      case 0x42: {
        // i64.const
        const v = r.s64();
        const [lo, hi] = push(ValType.i64);
        emit(`${lo}=${Number(BigInt.asIntN(32, v))};${hi}=${Number(BigInt.asIntN(32, v >> 32n))};`);
        break;
      }
      case 0x43: {
        // f32.const
        const bits = r.f32Bits() | 0;
        f32bits[0] = bits;
        const x = f32buf[0];
        const v = push(ValType.f32)[0];
        emit(x !== x ? `${v}=f32frombits(${bits});` : `${v}=${fmtNum(x)};`);
        break;
      }
      case 0x44: {
        // f64.const
        const [lo, hi] = r.f64Bits();
        f64bits[0] = lo;
        f64bits[1] = hi;
        const x = f64buf[0];
        const v = push(ValType.f64)[0];
        emit(x !== x ? `${v}=f64frombits(${lo | 0},${hi | 0});` : `${v}=${fmtNum(x)};`);
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

  function emitOther(key: number): void {
    const op = opcodeInfo(r, key, at);
    const name = op.name;
    if (op.immediate === 'memarg' && key < 0x100) {
      r.u32(); // alignment hint
      const offset = r.u32();
      const load = loadTemplates[name];
      if (load !== undefined) {
        const a = pop()[0];
        const ea = offset === 0 ? `(${a}>>>0)` : `((${a}>>>0)+${offset})`;
        const [res, resHigh] = push(op.sig!.endsWith('I') ? ValType.i64 : ValType.i32);
        emit(load.replace(/\$e/g, ea).replace(/\$rh/g, resHigh).replace(/\$r/g, res));
        return;
      }
      const [v, vh] = pop();
      const a = pop()[0];
      const ea = offset === 0 ? `(${a}>>>0)` : `((${a}>>>0)+${offset})`;
      emit(storeTemplates[name].replace(/\$e/g, ea).replace(/\$vh/g, vh).replace(/\$v/g, v));
      return;
    }
    const template = numericTemplates[name];
    if (template !== undefined) {
      const sig = op.sig!;
      const [ins, outs] = sig.split('>');
      const operands: string[][] = [];
      for (let i = ins.length - 1; i >= 0; i--) operands[i] = pop();
      const resType = { i: ValType.i32, I: ValType.i64, f: ValType.f32, F: ValType.f64 }[
        outs
      ] as ValType;
      const res = push(resType);
      const stmt = template.includes('$r') ? template : `$r=${template};`;
      emit(
        stmt.replace(/\$(ah|bh|rh|a|b|r)/g, (_, p: string) => {
          switch (p) {
            case 'a':
              return operands[0][0];
            case 'ah':
              return operands[0][1];
            case 'b':
              return operands[1][0];
            case 'bh':
              return operands[1][1];
            case 'r':
              return res[0];
            default:
              return res[1];
          }
        }),
      );
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
      emit(simdOp(key & 0xff, op, r, { pop, push }));
      return;
    }
    r.fail(`unsupported instruction ${name}`, at);
  }

  // Assemble: preamble binding helpers, globals and tables, then the function.
  const pre: string[] = [
    '"use strict";',
    `const {${HELPER_NAMES.join(',')}}=R;`,
    'const F=I.f,MS=I.mem,RF=I.refs,EL=I.e,DA=I.d,INT=R.interrupt;',
  ];
  for (const g of usedGlobals) pre.push(`const g${g}=I.g[${g}];`);
  for (const t of usedTables) pre.push(`const T${t}=I.t[${t}];`);
  pre.push(`return function ${name}(${params.join(',')}){`);
  const head: string[] = ['const IF=INT.flag;'];
  if (info.hasMemory) head.push('let M=MS.dv;');
  const vars = [...declared].map((v) => `${v}=0`).concat(localDecls);
  if (vars.length > 0) head.push(`let ${vars.join(',')};`);
  head.push('let t0=0;');
  const all = [...pre, ...head, ...lines, '}'];
  const lineOffsets = [
    ...new Array(pre.length + head.length).fill(body.start),
    ...offsets,
    body.end - 1,
  ];
  return { name, source: all.join('\n'), lineOffsets };
}

/** Helper names bound in every generated factory (exports of runtime/exec/helpers.ts). */
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
  'EMPTYA',
  'V',
  'simd',
];
