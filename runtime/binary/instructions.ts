// Reading instruction opcodes and stepping over immediates, driven by the opcode table.
// Used to find the end of constant expressions while decoding, and by the code generator.
import { BinaryReader } from './reader';
import { opcodes, opcodeKey, OpcodeInfo, PREFIX_MISC, PREFIX_SIMD } from '../opcodes';

/** Reads one opcode (with its prefix, if any) and returns its table key. */
export function readOpcode(r: BinaryReader): number {
  const start = r.pos;
  const byte = r.u8();
  if (byte === PREFIX_MISC || byte === PREFIX_SIMD) {
    const sub = r.u32();
    if (sub > 0xff) r.fail('illegal opcode', start);
    return opcodeKey(byte, sub);
  }
  return byte;
}

/** The opcode table entry for a key, or a DecodeError ("illegal opcode") at `offset`. */
export function opcodeInfo(r: BinaryReader, key: number, offset: number): OpcodeInfo {
  const info = opcodes.get(key);
  if (info === undefined) r.fail('illegal opcode', offset);
  return info;
}

/** Advances past an instruction's immediates. */
export function skipImmediates(r: BinaryReader, info: OpcodeInfo): void {
  switch (info.immediate) {
    case 'none':
      return;
    case 'blocktype':
      r.s33();
      return;
    case 'label':
    case 'func':
    case 'local':
    case 'global':
    case 'table':
    case 'data':
    case 'elem':
      r.u32();
      return;
    case 'br_table': {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case 'call_indirect':
    case 'elem_table':
    case 'table_table':
      r.u32();
      r.u32();
      return;
    case 'memarg':
      r.u32();
      r.u32();
      return;
    case 'memarg_lane':
      r.u32();
      r.u32();
      r.u8();
      return;
    case 'memory':
      r.u8();
      return;
    case 'memory_memory':
      r.u8();
      r.u8();
      return;
    case 'data_memory':
      r.u32();
      r.u8();
      return;
    case 'i32':
      r.s32();
      return;
    case 'i64':
      r.s64();
      return;
    case 'f32':
      r.bytesOf(4);
      return;
    case 'f64':
      r.bytesOf(8);
      return;
    case 'select_t': {
      const n = r.u32();
      for (let i = 0; i < n; i++) r.u8();
      return;
    }
    case 'reftype':
      r.u8();
      return;
    case 'v128':
    case 'shuffle':
      r.bytesOf(16);
      return;
    case 'lane':
      r.u8();
      return;
  }
}
