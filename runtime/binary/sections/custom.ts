// Custom sections (id 0): a name and an uninterpreted payload, kept as a byte range.
import { BinaryReader } from '../reader';
import { CustomSection } from '../../model';

export function decodeCustomSection(r: BinaryReader): CustomSection {
  const name = r.name();
  const start = r.pos;
  r.pos = r.end;
  return { name, start, end: r.end };
}
