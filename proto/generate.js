// Generates typed TypeScript encode/decode code (proto/gen/<package>.ts) from the .proto files
// in this folder, using protobufjs's parser. The output is static code over protobufjs's
// minimal Reader/Writer, so the bundled shim parses no .proto at start-up. Run by
// scripts/build.sh before tsc; the output is committed too, so `tsc -p .` works on its own.
// Usage: node proto/generate.js [--check]   (--check: fail when proto/gen is out of date)
'use strict';
const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const PROTO_DIR = __dirname;
const OUT_DIR = path.join(PROTO_DIR, 'gen');

function findProtos(dir, found = []) {
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findProtos(full, found);
    else if (entry.name.endsWith('.proto')) found.push(full);
  }
  return found;
}

/** `exit_status` → `exitStatus`, as protobufjs names fields by default. */
function camelCase(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Module-local alias under which another package's file is imported. */
function alias(pkg) {
  return '$' + pkg.replace(/\./g, '_');
}

// scalar type -> [TS decoded type, TS init type, default literal, wire type, write, read]
const SCALARS = {
  string: ['string', 'string', "''", 2, (w, v) => `${w}.string(${v})`, (r) => `${r}.string()`],
  bool: ['boolean', 'boolean', 'false', 0, (w, v) => `${w}.bool(${v})`, (r) => `${r}.bool()`],
  int32: ['number', 'number', '0', 0, (w, v) => `${w}.int32(${v})`, (r) => `${r}.int32()`],
  uint32: ['number', 'number', '0', 0, (w, v) => `${w}.uint32(${v})`, (r) => `${r}.uint32()`],
  double: ['number', 'number', '0', 1, (w, v) => `${w}.double(${v})`, (r) => `${r}.double()`],
  float: ['number', 'number', '0', 5, (w, v) => `${w}.float(${v})`, (r) => `${r}.float()`],
  int64: [
    'bigint',
    'bigint | number',
    '0n',
    0,
    (w, v) => `writeVarint64(${w}, ${v})`,
    (r) => `readInt64(${r})`,
  ],
  uint64: [
    'bigint',
    'bigint | number',
    '0n',
    0,
    (w, v) => `writeVarint64(${w}, ${v})`,
    (r) => `readUint64(${r})`,
  ],
  bytes: [
    'Uint8Array',
    'Uint8Array',
    'emptyBytes()',
    2,
    (w, v) => `${w}.bytes(${v})`,
    (r) => `${r}.bytes()`,
  ],
};

class FileWriter {
  constructor(pkg) {
    this.pkg = pkg;
    this.imports = new Set();
    this.runtime = new Set(['MessageType', 'Reader', 'Writer']);
    this.lines = [];
  }
  /** How code in this package refers to a reflected type (message or enum). */
  ref(type, suffix = '') {
    const pkg = type.parent.fullName.replace(/^\./, '');
    if (pkg === this.pkg) return type.name + suffix;
    this.imports.add(pkg);
    return `${alias(pkg)}.${type.name}${suffix}`;
  }
}

function scalarOf(field) {
  const s = SCALARS[field.type];
  if (!s) throw new Error(`proto/generate: unsupported type ${field.type} in ${field.fullName}`);
  return s;
}

function fieldTypes(out, field) {
  if (field.map) {
    const [valueType, valueInit] = scalarOf(field);
    if (field.keyType !== 'string') throw new Error(`only string map keys: ${field.fullName}`);
    return [`Record<string, ${valueType}>`, `Record<string, ${valueInit}>`];
  }
  let one;
  if (field.resolvedType instanceof protobuf.Enum) {
    one = [out.ref(field.resolvedType), out.ref(field.resolvedType)];
  } else if (field.resolvedType instanceof protobuf.Type) {
    one = [out.ref(field.resolvedType), out.ref(field.resolvedType, 'Init')];
  } else {
    const s = scalarOf(field);
    one = [s[0], s[1]];
  }
  const list = (t) => (t.includes(' ') ? `(${t})[]` : `${t}[]`);
  if (field.repeated) return [list(one[0]), list(one[1])];
  return one;
}

function docComment(node, indent) {
  if (!node.comment) return [];
  return [`${indent}/** ${node.comment.replace(/\s*\n\s*/g, ' ').replace(/\*\//g, '* /')} */`];
}

function emitEnum(out, e) {
  out.lines.push(...docComment(e, ''));
  out.lines.push(`export enum ${e.name} {`);
  for (const [name, value] of Object.entries(e.values)) out.lines.push(`  ${name} = ${value},`);
  out.lines.push('}', '');
}

function emitMessage(out, type) {
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  for (const f of fields) {
    f.resolve();
    if (f.partOf) throw new Error(`proto/generate: oneof not supported: ${f.fullName}`);
  }
  const typeName = type.fullName.replace(/^\./, '');

  // the decoded shape
  out.lines.push(...docComment(type, ''));
  out.lines.push(`export interface ${type.name} {`);
  for (const f of fields) {
    const [t] = fieldTypes(out, f);
    const optional = !f.repeated && !f.map && f.resolvedType instanceof protobuf.Type;
    out.lines.push(...docComment(f, '  '));
    out.lines.push(`  ${camelCase(f.name)}${optional ? '?' : ''}: ${t};`);
  }
  out.lines.push('}', '');
  // the input shape: every field optional, nested messages as their Init shapes
  out.lines.push(`/** Input to ${type.name}.encode: any field may be left out. */`);
  out.lines.push(`export interface ${type.name}Init {`);
  for (const f of fields) out.lines.push(`  ${camelCase(f.name)}?: ${fieldTypes(out, f)[1]};`);
  out.lines.push('}', '');

  const w = [];
  const r = [];
  const defaults = [];
  for (const f of fields) {
    const name = camelCase(f.name);
    const v = `m.${name}`;
    const isMessage = f.resolvedType instanceof protobuf.Type;
    const isEnum = f.resolvedType instanceof protobuf.Enum;
    const scalar = isMessage ? undefined : isEnum ? SCALARS.int32 : scalarOf(f);
    const tag = (wt) => (f.id << 3) | wt;
    if (f.map) {
      defaults.push(`${name}: {}`);
      w.push(`if (${v}) for (const k of Object.keys(${v})) {`);
      w.push(
        `  w.uint32(${tag(2)}).fork().uint32(10).string(k); ${scalar[4](
          `w.uint32(${(2 << 3) | scalar[3]})`,
          `${v}[k]`,
        )}; w.ldelim();`,
      );
      w.push('}');
      r.push(`case ${f.id}: {`);
      r.push(`  const entryEnd = r.uint32() + r.pos; let key = ''; let value = ${scalar[2]};`);
      r.push('  while (r.pos < entryEnd) {');
      r.push('    const t = r.uint32();');
      r.push(
        `    if (t === 10) key = r.string(); else if (t === ${(2 << 3) | scalar[3]}) value = ${scalar[5](
          'r',
        )}; else r.skipType(t & 7);`,
      );
      r.push('  }');
      r.push(`  m.${name}[key] = value; break;`);
      r.push('}');
    } else if (isMessage) {
      const ref = out.ref(f.resolvedType);
      if (f.repeated) {
        defaults.push(`${name}: []`);
        w.push(
          `if (${v}) for (const e of ${v}) ${ref}.write(e, w.uint32(${tag(2)}).fork()).ldelim();`,
        );
        r.push(
          `case ${f.id}: if ((t & 7) === 2) { const n = r.uint32(); m.${name}.push(${ref}.read(r, r.pos + n)); } else r.skipType(t & 7); break;`,
        );
      } else {
        w.push(`if (${v}) ${ref}.write(${v}, w.uint32(${tag(2)}).fork()).ldelim();`);
        r.push(
          `case ${f.id}: if ((t & 7) === 2) { const n = r.uint32(); m.${name} = ${ref}.read(r, r.pos + n); } else r.skipType(t & 7); break;`,
        );
      }
    } else {
      const [, , def, wire, write, read] = scalar;
      if (f.repeated) {
        defaults.push(`${name}: []`);
        if (wire === 2) {
          w.push(`if (${v}) for (const e of ${v}) ${write(`w.uint32(${tag(wire)})`, 'e')};`);
          r.push(
            `case ${f.id}: if ((t & 7) === 2) m.${name}.push(${read('r')}); else r.skipType(t & 7); break;`,
          );
        } else {
          // packed, as proto3 writes repeated numbers; both forms are read
          w.push(
            `if (${v} && ${v}.length) { w.uint32(${tag(2)}).fork(); for (const e of ${v}) ${write('w', 'e')}; w.ldelim(); }`,
          );
          r.push(`case ${f.id}:`);
          r.push(
            `  if ((t & 7) === 2) { const packedEnd = r.uint32() + r.pos; while (r.pos < packedEnd) m.${name}.push(${read('r')}); }`,
          );
          r.push(
            `  else if ((t & 7) === ${wire}) m.${name}.push(${read('r')}); else r.skipType(t & 7);`,
          );
          r.push('  break;');
        }
      } else {
        defaults.push(`${name}: ${def}`);
        const present = f.type === 'bytes' ? `${v} && ${v}.length` : v;
        w.push(`if (${present}) ${write(`w.uint32(${tag(wire)})`, v)};`);
        r.push(
          `case ${f.id}: if ((t & 7) === ${wire}) m.${name} = ${read('r')}; else r.skipType(t & 7); break;`,
        );
      }
      if (f.type === 'int64' || f.type === 'uint64') out.runtime.add('writeVarint64');
      if (f.type === 'int64') out.runtime.add('readInt64');
      if (f.type === 'uint64') out.runtime.add('readUint64');
      if (f.type === 'bytes' && !f.repeated) out.runtime.add('emptyBytes');
    }
  }

  out.lines.push(`export const ${type.name}: MessageType<${type.name}, ${type.name}Init> = {`);
  out.lines.push(`  typeName: '${typeName}',`);
  out.lines.push(`  encode(m: ${type.name}Init): Uint8Array {`);
  out.lines.push(`    return ${type.name}.write(m, Writer.create()).finish();`);
  out.lines.push('  },');
  out.lines.push(`  decode(bytes: Uint8Array): ${type.name} {`);
  out.lines.push(`    return ${type.name}.read(Reader.create(bytes), bytes.length);`);
  out.lines.push('  },');
  out.lines.push(`  write(${w.length ? 'm' : '_m'}: ${type.name}Init, w: Writer): Writer {`);
  out.lines.push(...w.map((l) => '    ' + l));
  out.lines.push('    return w;');
  out.lines.push('  },');
  out.lines.push(`  read(r: Reader, end: number): ${type.name} {`);
  out.lines.push(`    const m: ${type.name} = { ${defaults.join(', ')} };`);
  out.lines.push('    while (r.pos < end) {');
  out.lines.push('      const t = r.uint32();');
  if (r.length) {
    out.lines.push('      switch (t >>> 3) {');
    out.lines.push(...r.map((l) => '        ' + l));
    out.lines.push('        default: r.skipType(t & 7);');
    out.lines.push('      }');
  } else {
    out.lines.push('      r.skipType(t & 7);');
  }
  out.lines.push('    }');
  out.lines.push('    return m;');
  out.lines.push('  },');
  out.lines.push('};', '');
}

function emitService(out, service) {
  const serviceName = service.fullName.replace(/^\./, '');
  out.lines.push(...docComment(service, ''));
  out.lines.push(`export const ${service.name}Service = {`);
  out.lines.push(`  name: '${serviceName}',`);
  out.lines.push('  methods: {');
  for (const m of service.methodsArray) {
    m.resolve();
    if (m.requestStream || m.responseStream) throw new Error(`streams unsupported: ${m.fullName}`);
    const req = out.ref(m.resolvedRequestType);
    const res = out.ref(m.resolvedResponseType);
    out.lines.push(`    ${m.name}: { name: '${m.name}', request: ${req}, response: ${res} },`);
  }
  out.lines.push('  },');
  out.lines.push('} as const;', '');
}

function collect(ns, byPackage) {
  for (const nested of ns.nestedArray) {
    if (
      nested instanceof protobuf.Type ||
      nested instanceof protobuf.Enum ||
      nested instanceof protobuf.Service
    ) {
      const pkg = ns.fullName.replace(/^\./, '');
      if (!byPackage.has(pkg)) byPackage.set(pkg, []);
      byPackage.get(pkg).push(nested);
      if (nested instanceof protobuf.Type && nested.nestedArray.length)
        throw new Error(`proto/generate: nested types not supported: ${nested.fullName}`);
    } else if (nested instanceof protobuf.Namespace) {
      collect(nested, byPackage);
    }
  }
}

async function generate() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  const files = findProtos(PROTO_DIR).map((f) => path.relative(PROTO_DIR, f));
  root.loadSync(files, { keepCase: true, alternateCommentMode: true });
  root.resolveAll();

  const byPackage = new Map();
  collect(root, byPackage);
  const outputs = new Map();
  for (const [pkg, types] of [...byPackage].sort()) {
    const out = new FileWriter(pkg);
    // services last: their method tables refer to the message codecs
    for (const t of types) if (t instanceof protobuf.Enum) emitEnum(out, t);
    for (const t of types) if (t instanceof protobuf.Type) emitMessage(out, t);
    for (const t of types) if (t instanceof protobuf.Service) emitService(out, t);
    const head = [
      `// Generated by proto/generate.js from the .proto files of package ${pkg}. Do not edit.`,
      '/* eslint-disable */',
      `import { ${[...out.runtime].sort().join(', ')} } from '../runtime';`,
      ...[...out.imports].sort().map((p) => `import * as ${alias(p)} from './${p}';`),
      '',
    ];
    outputs.set(`${pkg}.ts`, head.concat(out.lines).join('\n'));
  }

  const prettier = require('prettier');
  const options = (await prettier.resolveConfig(path.join(PROTO_DIR, 'index.ts'))) || {};
  const formatted = new Map();
  for (const [name, source] of outputs) {
    formatted.set(name, await prettier.format(source, { ...options, parser: 'typescript' }));
  }
  return formatted;
}

async function main() {
  const check = process.argv.includes('--check');
  const outputs = await generate();
  const stale = [];
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const existing = new Set(fs.readdirSync(OUT_DIR).filter((f) => f.endsWith('.ts')));
  for (const [name, text] of outputs) {
    existing.delete(name);
    const file = path.join(OUT_DIR, name);
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (old === text) continue;
    stale.push(name);
    if (!check) fs.writeFileSync(file, text);
  }
  for (const name of existing) {
    stale.push(name);
    if (!check) fs.unlinkSync(path.join(OUT_DIR, name));
  }
  if (check && stale.length) {
    process.stderr.write(
      `proto/gen is out of date: ${stale.join(', ')}; run node proto/generate.js\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`proto/generate: ${err.stack || err}\n`);
  process.exitCode = 1;
});
