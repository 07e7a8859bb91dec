// Function section (id 3): the type index of each function the module defines.
import { BinaryReader } from '../reader';

export function decodeFunctionSection(r: BinaryReader): number[] {
  const count = r.u32();
  const funcs: number[] = [];
  for (let i = 0; i < count; i++) funcs.push(r.u32());
  return funcs;
}
