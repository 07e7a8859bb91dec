// `tswasm-shim inspect [options] FILE|BUNDLE|IMAGE`: prints what `run` would run (entry, argv,
// env, working directory, preopens, memory limit; the image picked), then the module's imports
// and exports with their types and whether the engine accepts it, with the engine's own error.
// A debugging aid: it runs nothing. Exit status 0 when the module compiles, 1 when it does not
// or the input cannot be opened, 2 for a bad command line.
import * as fs from 'fs';
import type {
  FuncType,
  GlobalType,
  Limits,
  TableType,
  ValType,
  WasmModule,
} from '../../runtime/model';
import { parseArgs, UsageError } from './run-command';
import type { RunSettings, RunTarget } from './target';
import type { EngineName } from './run';

export const inspectUsage = `Usage: tswasm-shim inspect [options] FILE.wasm|BUNDLE|IMAGE [ARGS...]

Prints what 'tswasm-shim run' would run for the same input and arguments: the entry module,
argv, environment, working directory, preopens and memory limit (and for an image, the image
and platform picked); then the module's imports and exports with their types, and whether
the engine accepts it (with the engine's error when it does not). Runs nothing.

Options (as for run): --dir, --env, --engine tswasm|v8, --platform OS/ARCH, --memory-limit BYTES
  -h, --help             print this help

Exit status: 0 when the module compiles; 1 when it does not or the input cannot be opened;
2 for a bad command line.
`;

const inspectOptions: ReadonlySet<string> = new Set([
  '--dir',
  '--env',
  '--engine',
  '--platform',
  '--memory-limit',
]);

const valTypeNames: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

function valType(t: ValType): string {
  return valTypeNames[t] ?? `0x${(t as number).toString(16)}`;
}

function funcType(t: FuncType | undefined): string {
  if (!t) return 'func (unknown type)';
  return `func (${t.params.map(valType).join(', ')}) -> (${t.results.map(valType).join(', ')})`;
}

function limits(l: Limits, unit: string): string {
  return `min ${l.min}${unit}, max ${l.max === undefined ? 'none' : `${l.max}${unit}`}`;
}

function tableType(t: TableType): string {
  return `table ${valType(t.elemType)} (${limits(t.limits, '')})`;
}

function globalType(t: GlobalType): string {
  return `global ${t.mutable ? 'mut ' : ''}${valType(t.valType)}`;
}

/** `module.name: type` for each import, `name: type` for each export. */
export function describeInterface(m: WasmModule): { imports: string[]; exports: string[] } {
  const funcs: (FuncType | undefined)[] = [];
  const tables: TableType[] = [];
  const memories: Limits[] = [];
  const globals: GlobalType[] = [];
  const imports: string[] = [];
  for (const imp of m.imports) {
    let text: string;
    switch (imp.desc.kind) {
      case 'function':
        funcs.push(m.types[imp.desc.typeIndex]);
        text = funcType(m.types[imp.desc.typeIndex]);
        break;
      case 'table':
        tables.push(imp.desc.type);
        text = tableType(imp.desc.type);
        break;
      case 'memory':
        memories.push(imp.desc.type.limits);
        text = `memory (${limits(imp.desc.type.limits, ' pages')})`;
        break;
      case 'global':
        globals.push(imp.desc.type);
        text = globalType(imp.desc.type);
        break;
    }
    imports.push(`${imp.module}.${imp.name}: ${text}`);
  }
  for (const t of m.funcs) funcs.push(m.types[t]);
  tables.push(...m.tables);
  memories.push(...m.memories.map((mem) => mem.limits));
  globals.push(...m.globals.map((g) => g.type));
  const exports = m.exports.map((e) => {
    switch (e.kind) {
      case 'function':
        return `${e.name}: ${funcType(funcs[e.index])}`;
      case 'table':
        return `${e.name}: ${tables[e.index] ? tableType(tables[e.index]) : 'table'}`;
      case 'memory':
        return `${e.name}: memory (${memories[e.index] ? limits(memories[e.index], ' pages') : '?'})`;
      case 'global':
        return `${e.name}: ${globals[e.index] ? globalType(globals[e.index]) : 'global'}`;
    }
  });
  return { imports, exports };
}

function section(title: string, lines: string[]): string {
  return `${title}:\n${lines.length ? lines.map((l) => `  ${l}\n`).join('') : '  (none)\n'}`;
}

/** The report's text for a target and its module bytes; `valid` says if the engine took it. */
function report(
  target: RunTarget,
  { env, preopens, memoryLimit }: RunSettings,
  engineName: EngineName | undefined,
): { text: string; valid: boolean } {
  let text = `${target.kind}: ${target.source}\n`;
  if (target.image) {
    text += `image: ${target.image.name ?? '(unnamed)'}\n`;
    text += `platform: ${target.image.platform}\n`;
    text += `manifest: ${target.image.manifestDigest}\n`;
  }
  text += `entry: ${target.argv[0]}${target.kind === 'module' ? '' : ` (${target.entryPath})`}\n`;
  text += `argv: ${JSON.stringify(target.argv)}\n`;
  text += section(
    'env',
    Object.entries(env).map(([k, v]) => `${k}=${v}`),
  );
  if (target.cwd !== undefined) text += `cwd: ${target.cwd}\n`;
  text += section(
    'preopens',
    Object.entries(preopens).map(([guest, host]) =>
      target.kind === 'image' && host === target.image?.rootfs
        ? `${guest} -> (the image's rootfs, unpacked to a temporary directory)`
        : `${guest} -> ${host}`,
    ),
  );
  text += `memory limit: ${memoryLimit === undefined ? 'none' : `${memoryLimit} bytes`}\n`;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(target.entryPath);
  } catch (error) {
    return { text: text + `module: cannot read: ${(error as Error).message}\n`, valid: false };
  }
  text += `module: ${bytes.length} bytes\n`;
  try {
    const { decodeModule } =
      require('../../runtime/binary/decoder') as typeof import('../../runtime/binary/decoder');
    const { imports, exports } = describeInterface(decodeModule(bytes));
    text += section('imports', imports) + section('exports', exports);
  } catch (error) {
    text += `imports/exports: cannot decode: ${(error as Error).message}\n`;
  }
  const { loadEngine } = require('./run') as typeof import('./run');
  let engine: ReturnType<typeof loadEngine>;
  try {
    engine = loadEngine(engineName);
  } catch (error) {
    return { text: text + `validation: ${(error as Error).message}\n`, valid: false };
  }
  try {
    new engine.api.Module(bytes);
    return { text: text + `validation (${engine.name}): ok\n`, valid: true };
  } catch (error) {
    const e = error as Error;
    return { text: text + `validation (${engine.name}): ${e.name}: ${e.message}\n`, valid: false };
  }
}

export async function inspectCommand(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(argv, inspectOptions);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fs.writeSync(2, `tswasm-shim inspect: ${error.message}\n\n${inspectUsage}`);
    return 2;
  }
  if (options === 'help') {
    fs.writeSync(1, inspectUsage);
    return 0;
  }
  const { openTargetOrReport, withCommandLine } = require('./target') as typeof import('./target');
  const target = await openTargetOrReport(options.file, {
    args: options.args,
    platform: options.platform,
  });
  if (target === undefined) return 1;
  try {
    const { text, valid } = report(target, withCommandLine(target, options), options.engine);
    fs.writeSync(1, text);
    return valid ? 0 : 1;
  } finally {
    target.cleanup();
  }
}
