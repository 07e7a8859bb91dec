// Decodes a Wasm binary into the module model: checks the header, walks the sections in
// their required order and dispatches each to its own decoder in ./sections. Errors are
// DecodeErrors with the spec's wording, prefixed by the section they occurred in.
import { BinaryReader, DecodeError } from './reader';
import { WasmModule } from '../model';
import { decodeTypeSection } from './sections/type';
import { decodeImportSection } from './sections/import';
import { decodeFunctionSection } from './sections/function';
import { decodeTableSection } from './sections/table';
import { decodeMemorySection } from './sections/memory';
import { decodeGlobalSection } from './sections/global';
import { decodeExportSection } from './sections/export';
import { decodeStartSection } from './sections/start';
import { decodeElementSection } from './sections/element';
import { decodeCodeSection } from './sections/code';
import { decodeDataSection } from './sections/data';
import { decodeDataCountSection } from './sections/datacount';
import { decodeCustomSection } from './sections/custom';
import { decodeNameSection, emptyNames } from './sections/names';

const MAGIC = 0x6d736100; // "\0asm"
const VERSION = 1;

export const sectionNames = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'data count',
];

/** Position of each section id in the required order (data count sits before code). */
const sectionOrder = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10];

export function decodeModule(bytes: Uint8Array): WasmModule {
  const m: WasmModule = {
    bytes,
    types: [],
    imports: [],
    funcs: new Uint32Array(0),
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    start: undefined,
    elems: [],
    datas: [],
    dataCount: undefined,
    codes: [],
    customs: [],
    names: emptyNames(),
  };
  const r = new BinaryReader(bytes);
  if (bytes.length < 4 || r.u32Fixed() !== MAGIC)
    throw new DecodeError('magic header not detected', 0);
  if (bytes.length < 8 || r.u32Fixed() !== VERSION)
    throw new DecodeError('unknown binary version', 4);

  let lastOrder = 0;
  while (!r.atEnd) {
    const idAt = r.pos;
    const id = r.u8();
    if (id > 12) r.fail('malformed section id', idAt);
    const section = sectionNames[id];
    try {
      const size = r.u32();
      const start = r.pos;
      const end = start + size;
      if (end > bytes.length) r.fail('unexpected end of section or function', start);
      if (id !== 0) {
        const order = sectionOrder[id];
        if (order <= lastOrder) r.fail('unexpected content after last section', idAt);
        lastOrder = order;
      }
      const s = new BinaryReader(bytes, start, end);
      switch (id) {
        case 0: {
          const custom = decodeCustomSection(s);
          m.customs.push(custom);
          if (custom.name === 'name') m.names = decodeNameSection(bytes, custom.start, custom.end);
          break;
        }
        case 1:
          m.types = decodeTypeSection(s);
          break;
        case 2:
          m.imports = decodeImportSection(s);
          break;
        case 3:
          m.funcs = decodeFunctionSection(s);
          break;
        case 4:
          m.tables = decodeTableSection(s);
          break;
        case 5:
          m.memories = decodeMemorySection(s);
          break;
        case 6:
          m.globals = decodeGlobalSection(s);
          break;
        case 7:
          m.exports = decodeExportSection(s);
          break;
        case 8:
          m.start = decodeStartSection(s);
          break;
        case 9:
          m.elems = decodeElementSection(s);
          break;
        case 10:
          m.codes = decodeCodeSection(s);
          break;
        case 11:
          m.datas = decodeDataSection(s);
          break;
        case 12:
          m.dataCount = decodeDataCountSection(s);
          break;
      }
      if (s.pos !== end) s.fail('section size mismatch', s.pos);
      r.pos = end;
    } catch (e) {
      if (e instanceof DecodeError && !e.message.startsWith('in ')) {
        throw new DecodeError(
          `${e.message} (${section} section, at byte 0x${e.offset.toString(16)})`,
          e.offset,
        );
      }
      throw e;
    }
  }
  if (m.funcs.length !== m.codes.length) {
    throw new DecodeError('function and code section have inconsistent lengths', bytes.length);
  }
  if (m.dataCount !== undefined && m.dataCount !== m.datas.length) {
    throw new DecodeError('data count and data section have inconsistent lengths', bytes.length);
  }
  return m;
}
