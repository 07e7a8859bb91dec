// Export section (id 7): name, kind byte and index.
import { BinaryReader } from '../reader';
import { Export, ExternKind } from '../../model';

const kinds: ExternKind[] = ['function', 'table', 'memory', 'global'];

export function decodeExportSection(r: BinaryReader): Export[] {
  const count = r.u32();
  const exports: Export[] = [];
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const at = r.pos;
    const kind = kinds[r.u8()];
    if (kind === undefined) r.fail('malformed export kind', at);
    exports.push({ name, kind, index: r.u32() });
  }
  return exports;
}
