// Import section (id 2): module name, field name and a description by kind byte.
import { BinaryReader } from '../reader';
import { Import, ImportDesc } from '../../model';
import { readGlobalType, readMemoryType, readTableType } from '../types';

export function decodeImportSection(r: BinaryReader): Import[] {
  const count = r.u32();
  const imports: Import[] = [];
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    let desc: ImportDesc;
    switch (kind) {
      case 0:
        desc = { kind: 'function', typeIndex: r.u32() };
        break;
      case 1:
        desc = { kind: 'table', type: readTableType(r) };
        break;
      case 2:
        desc = { kind: 'memory', type: readMemoryType(r) };
        break;
      case 3:
        desc = { kind: 'global', type: readGlobalType(r) };
        break;
      default:
        r.fail('malformed import kind', at);
    }
    imports.push({ module, name, desc });
  }
  return imports;
}
