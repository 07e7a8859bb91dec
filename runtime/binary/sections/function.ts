// Function section (id 3): the type index of each function the module defines, as a
// Uint32Array (one allocation however many functions there are).
import { BinaryReader } from '../reader';

export function decodeFunctionSection(r: BinaryReader): Uint32Array {
  const count = r.u32();
  // Each index takes at least a byte: a count beyond the section's bytes fails while reading,
  // before the array could overflow, so it need not be allocated in full.
  const funcs = new Uint32Array(Math.min(count, r.end - r.pos));
  const bytes = r.bytes;
  const end = r.end;
  for (let i = 0; i < count; i++) {
    // One-byte indices (under 128 types) inline; the rest through the checked reader.
    const p = r.pos;
    const b = bytes[p];
    if (p < end && b < 0x80) {
      funcs[i] = b;
      r.pos = p + 1;
    } else funcs[i] = r.u32();
  }
  return funcs;
}
