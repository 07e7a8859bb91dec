// Start section (id 8): the index of the function run at instantiation.
import { BinaryReader } from '../reader';

export function decodeStartSection(r: BinaryReader): number {
  return r.u32();
}
