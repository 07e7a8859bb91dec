// Data count section (id 12): the number of data segments, declared before the code section
// so memory.init and data.drop can be validated in one pass.
import { BinaryReader } from '../reader';

export function decodeDataCountSection(r: BinaryReader): number {
  return r.u32();
}
