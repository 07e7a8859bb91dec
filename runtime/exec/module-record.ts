// A compiled module: the decoded and validated model, the facts the code generator needs, and
// a cache of generated function factories shared by every instance of the module. Functions
// are generated lazily, on their first call, and registered for Wasm backtraces.
import { decodeModule } from '../binary/decoder';
import { DecodeError } from '../binary/reader';
import { FuncType, GlobalType, TableType, WasmModule } from '../model';
import { generateFunction, GeneratedFunction, ModuleInfo } from '../codegen/compile';
import { validateModule } from '../validate';
import { CompileError } from './errors';
import { typeId } from './store';

export type Factory = (
  I: unknown,
  R: unknown,
  X: unknown,
  H: unknown,
) => (...args: unknown[]) => unknown;

export interface ModuleRecord {
  id: number;
  module: WasmModule;
  info: ModuleInfo;
  factories: (Factory | undefined)[];
  /** Factories generated without the bound memory view (for functions rebound after a grow). */
  unboundFactories: (Factory | undefined)[];
  /** Backtrace information of each generated function, by function index. */
  generated: Map<number, GeneratedInfo>;
}

let nextModuleId = 1;

interface GeneratedInfo {
  wasmName: string;
  lineOffsets: number[];
}

/**
 * Modules by id, for mapping JS stack frames (named w<module>_<index>$...) back to Wasm
 * offsets. Held weakly: a module's entry goes when the module is collected.
 */
const modulesById = new Map<number, WeakRef<ModuleRecord>>();
const forgetModule = new FinalizationRegistry<number>((id) => modulesById.delete(id));

export function compileModule(bytes: Uint8Array): ModuleRecord {
  let module: WasmModule;
  try {
    module = decodeModule(bytes);
    validateModule(module);
  } catch (e) {
    if (e instanceof DecodeError || (e instanceof Error && e.name === 'ValidationError')) {
      throw new CompileError(e.message);
    }
    throw e;
  }
  const funcTypes: FuncType[] = [];
  const globalTypes: GlobalType[] = [];
  const tableTypes: TableType[] = [];
  let hasMemory = module.memories.length > 0;
  for (const imp of module.imports) {
    if (imp.desc.kind === 'function') funcTypes.push(module.types[imp.desc.typeIndex]);
    else if (imp.desc.kind === 'global') globalTypes.push(imp.desc.type);
    else if (imp.desc.kind === 'table') tableTypes.push(imp.desc.type);
    else hasMemory = true;
  }
  const importedFuncs = funcTypes.length;
  const defined = module.funcs;
  const types = module.types;
  for (let i = 0; i < defined.length; i++) funcTypes.push(types[defined[i]]);
  for (const g of module.globals) globalTypes.push(g.type);
  for (const t of module.tables) tableTypes.push(t);
  const id = nextModuleId++;
  const info: ModuleInfo = {
    module,
    funcTypes,
    globalTypes,
    tableTypes,
    typeIds: module.types.map(typeId),
    importedFuncs,
    hasMemory,
    funcNames: functionNames(module, funcTypes.length),
    moduleId: id,
  };
  const record: ModuleRecord = {
    id,
    module,
    info,
    factories: new Array(funcTypes.length).fill(undefined),
    unboundFactories: new Array(funcTypes.length).fill(undefined),
    generated: new Map(),
  };
  modulesById.set(id, new WeakRef(record));
  forgetModule.register(record, id);
  return record;
}

/**
 * Each function's name (for backtraces and generated JS names): from the name section, else
 * its first export name, else ''. Filled from the named functions only, not by looking every
 * function up (a big module has tens of thousands, most often without names).
 */
function functionNames(module: WasmModule, count: number): string[] {
  const names = new Array<string>(count).fill('');
  const exports = module.exports;
  // Later exports first, so the first export of a function is the one that stays.
  for (let i = exports.length - 1; i >= 0; i--) {
    const e = exports[i];
    if (e.kind === 'function' && e.index < count) names[e.index] = e.name;
  }
  for (const [index, name] of module.names.functions) if (index < count) names[index] = name;
  return names;
}

/**
 * The factory of function `index` (an index into the module's function space); `bindView`
 * false asks for the form without the bound memory view (see codegen/compile.ts).
 */
export function factoryFor(record: ModuleRecord, index: number, bindView = true): Factory {
  const cache = bindView ? record.factories : record.unboundFactories;
  let factory = cache[index];
  if (factory === undefined) {
    const gen: GeneratedFunction = generateFunction(record.info, index, bindView);
    factory = new Function('I', 'R', 'X', 'H', gen.source) as Factory;
    cache[index] = factory;
    // A function without a bound view is the same either way.
    if (!gen.boundView) record.factories[index] = record.unboundFactories[index] = factory;
    // Both forms have the same line offsets.
    record.generated.set(index, {
      wasmName: record.info.funcNames[index] || `<wasm function ${index}>`,
      lineOffsets: gen.lineOffsets,
    });
  }
  return factory;
}

/** Formats a JS stack as a Wasm backtrace (wasmtime's layout); empty if no Wasm frames. */
export function wasmBacktrace(stack: string | undefined): string {
  if (stack === undefined) return '';
  const frames: string[] = [];
  const re = /at (w\d+_\d+\$[A-Za-z0-9_$]*?)(\$c\d+)? \(.*<anonymous>:(\d+):\d+\)/g;
  let previousChunkOf: string | undefined;
  for (const match of stack.matchAll(re)) {
    // A chunk of a split function (name$c<k>) stands for its function: the frames of the
    // function's own JS pieces that called it are the same Wasm frame.
    const sameWasmFrame = previousChunkOf === match[1];
    previousChunkOf = match[2] !== undefined ? match[1] : undefined;
    if (sameWasmFrame) continue;
    const ids = /^w(\d+)_(\d+)\$/.exec(match[1])!;
    const gen = modulesById.get(Number(ids[1]))?.deref()?.generated.get(Number(ids[2]));
    if (gen === undefined) continue;
    // new Function puts two lines ("function anonymous(...", ") {") before the body.
    const offset = gen.lineOffsets[Number(match[3]) - 3] ?? 0;
    frames.push(`    ${frames.length}: 0x${offset.toString(16)} - ${gen.wasmName}`);
  }
  return frames.length > 0 ? `wasm backtrace:\n${frames.join('\n')}` : '';
}
