// Memory section (id 5): memory types (limits in 64 KiB pages).
import { BinaryReader } from '../reader';
import { MemoryType } from '../../model';
import { readMemoryType } from '../types';

export function decodeMemorySection(r: BinaryReader): MemoryType[] {
  const count = r.u32();
  const memories: MemoryType[] = [];
  for (let i = 0; i < count; i++) memories.push(readMemoryType(r));
  return memories;
}
