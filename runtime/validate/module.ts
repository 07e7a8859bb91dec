// Module-level validation: import, function, table, memory and global types, limits, the
// single-memory rule, segments, the start function, exports, and then every function body.
// Builds the context C the body validator works in.
import { FuncType, GlobalType, Limits, RefType, TableType, ValType, WasmModule } from '../model';
import { ValidationError } from './errors';
import { ModuleContext, typeListName, typeName } from './context';
import { validateConstExpr } from './constexpr';
import { BodyValidator } from './body';
import { primingModule } from './prime';

/** 2^16 pages of 64 KiB: the 4 GiB a 32-bit memory can address. */
const MAX_MEMORY_PAGES = 65536;

function fail(reason: string, where: string): never {
  throw new ValidationError(reason, undefined, undefined, where);
}

function checkLimits(limits: Limits, range: number, rangeReason: string, where: string): void {
  if (limits.min > range) fail(rangeReason, where);
  if (limits.max !== undefined) {
    if (limits.max > range) fail(rangeReason, where);
    if (limits.min > limits.max) fail('size minimum must not be greater than maximum', where);
  }
}

function checkTableType(type: TableType, where: string): void {
  checkLimits(type.limits, 0xffffffff, 'table size must be at most 2^32-1', where);
}

function checkMemoryLimits(limits: Limits, where: string): void {
  checkLimits(limits, MAX_MEMORY_PAGES, 'memory size must be at most 65536 pages (4GiB)', where);
}

let primed = false;

/** Validates a decoded module; throws ValidationError (or DecodeError for malformed bodies). */
export function validateModule(module: WasmModule): void {
  if (!primed) {
    // Once per process, before the first real module (see prime.ts).
    primed = true;
    validateModule(primingModule());
  }
  const types = module.types;
  const funcs: FuncType[] = [];
  const tables: TableType[] = [];
  const globals: GlobalType[] = [];
  let memoryCount = 0;

  /** The type at `index`; `where` names the construct in the error (built only on failure). */
  const typeOf = (index: number, where: () => string): FuncType => {
    const type = types[index];
    if (type === undefined) fail(`unknown type ${index}`, where());
    return type;
  };

  module.imports.forEach((imp, i) => {
    const where = () => `import ${i} ${JSON.stringify(`${imp.module}.${imp.name}`)}`;
    const desc = imp.desc;
    switch (desc.kind) {
      case 'function':
        funcs.push(typeOf(desc.typeIndex, where));
        break;
      case 'table':
        checkTableType(desc.type, where());
        tables.push(desc.type);
        break;
      case 'memory':
        checkMemoryLimits(desc.type.limits, where());
        memoryCount++;
        break;
      case 'global':
        globals.push(desc.type);
        break;
    }
  });
  const importedFuncCount = funcs.length;
  const importedGlobalCount = globals.length;
  const defined = module.funcs;
  for (let i = 0; i < defined.length; i++) {
    const type = types[defined[i]];
    if (type === undefined) fail(`unknown type ${defined[i]}`, `function ${importedFuncCount + i}`);
    funcs.push(type);
  }
  for (const type of module.tables) {
    checkTableType(type, `table ${tables.length}`);
    tables.push(type);
  }
  for (const memory of module.memories) {
    checkMemoryLimits(memory.limits, `memory ${memoryCount}`);
    memoryCount++;
  }
  if (memoryCount > 1) fail('multiple memories', 'module');
  for (const global of module.globals) globals.push(global.type);

  const ctx: ModuleContext = {
    module,
    types,
    funcs,
    tables,
    memoryCount,
    globals,
    importedGlobalCount,
    elemTypes: module.elems.map((e) => e.type),
    dataCount: module.dataCount,
    refs: new Uint8Array(funcs.length),
  };

  // C.refs: functions referenced by exports and element segments (and, below, by ref.func in
  // any constant expression) may be referenced with ref.func inside bodies.
  for (const exp of module.exports) {
    if (exp.kind === 'function' && exp.index < funcs.length) ctx.refs[exp.index] = 1;
  }
  for (const elem of module.elems) {
    if (elem.items.kind === 'functions') {
      for (const index of elem.items.indices) if (index < funcs.length) ctx.refs[index] = 1;
    }
  }

  module.globals.forEach((global, i) => {
    validateConstExpr(
      ctx,
      global.init,
      global.type.valType,
      `global ${importedGlobalCount + i} initializer`,
    );
  });

  module.elems.forEach((elem, i) => {
    const where = `elem segment ${i}`;
    if (elem.mode.kind === 'active') {
      const table = tables[elem.mode.table];
      if (table === undefined) fail(`unknown table ${elem.mode.table}`, where);
      validateConstExpr(ctx, elem.mode.offset, ValType.i32, `${where} offset`);
      if (table.elemType !== elem.type) {
        fail(
          `type mismatch: segment of ${typeName(elem.type)} for a table of ${typeName(table.elemType)}`,
          where,
        );
      }
    }
    if (elem.items.kind === 'functions') {
      if (elem.type !== ValType.funcref) {
        fail(`type mismatch: function indices in a segment of ${typeName(elem.type)}`, where);
      }
      for (const index of elem.items.indices) {
        if (index >= funcs.length) fail(`unknown function ${index}`, where);
      }
    } else {
      for (const expr of elem.items.exprs)
        validateConstExpr(ctx, expr, elem.type as RefType, where);
    }
  });

  module.datas.forEach((data, i) => {
    if (data.mode.kind === 'active') {
      const where = `data segment ${i}`;
      if (data.mode.memory >= memoryCount) fail(`unknown memory ${data.mode.memory}`, where);
      validateConstExpr(ctx, data.mode.offset, ValType.i32, `${where} offset`);
    }
  });

  if (module.start !== undefined) {
    const type = funcs[module.start];
    if (type === undefined) fail(`unknown function ${module.start}`, 'start section');
    if (type.params.length !== 0 || type.results.length !== 0) {
      fail(
        `start function must have type [] -> [], function ${module.start} has ${typeListName(type.params)} -> ${typeListName(type.results)}`,
        'start section',
      );
    }
  }

  const exportNames = new Set<string>();
  for (const exp of module.exports) {
    const where = `export ${JSON.stringify(exp.name)}`;
    const count =
      exp.kind === 'function'
        ? funcs.length
        : exp.kind === 'table'
          ? tables.length
          : exp.kind === 'memory'
            ? memoryCount
            : globals.length;
    if (exp.index >= count) fail(`unknown ${exp.kind} ${exp.index}`, where);
    if (exportNames.has(exp.name)) fail('duplicate export name', where);
    exportNames.add(exp.name);
  }

  if (module.codes.length !== module.funcs.length) {
    fail('function and code section have inconsistent lengths', 'code section');
  }
  const body = new BodyValidator(ctx);
  for (let i = 0; i < module.codes.length; i++) {
    body.validate(importedFuncCount + i, module.codes[i]);
  }
}
