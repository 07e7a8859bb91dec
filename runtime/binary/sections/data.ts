// Data section (id 11): segments, active (flags 0 and 2, the latter with a memory index) or
// passive (flag 1); their bytes stay in the module as a byte range.
import { BinaryReader } from '../reader';
import { DataMode, DataSegment } from '../../model';
import { readConstExpr } from '../types';

export function decodeDataSection(r: BinaryReader): DataSegment[] {
  const count = r.u32();
  const segments: DataSegment[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const flags = r.u32();
    let mode: DataMode;
    if (flags === 0) mode = { kind: 'active', memory: 0, offset: readConstExpr(r) };
    else if (flags === 1) mode = { kind: 'passive' };
    else if (flags === 2) {
      const memory = r.u32();
      mode = { kind: 'active', memory, offset: readConstExpr(r) };
    } else r.fail('malformed data segment kind', at);
    const length = r.u32();
    const start = r.pos;
    r.bytesOf(length);
    segments.push({ mode, start, end: r.pos });
  }
  return segments;
}
