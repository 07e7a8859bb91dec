// Cross-checks the validator's typing tables against the engine's opcode table
// (runtime/opcodes.ts): the two were written independently from the spec, so any difference
// in an operand type, natural alignment or lane count is a bug in one of them.
import assert from 'node:assert/strict';
import { OpcodeInfo, PREFIX_MISC, PREFIX_SIMD, opcodeKey, opcodes } from '../../opcodes';
import {
  MemorySignature,
  Signature,
  memoryOps,
  numericOps,
  saturatingOps,
  simdLaneOps,
  simdMemoryLaneOps,
  simdMemoryOps,
  simdOps,
} from '../optable';
import { ValType } from '../../model';

const letters: Record<number, string> = {
  [ValType.i32]: 'i',
  [ValType.i64]: 'I',
  [ValType.f32]: 'f',
  [ValType.f64]: 'F',
  [ValType.v128]: 'v',
};

function asString(s: Signature): string {
  return `${s.params.map((t) => letters[t]).join('')}>${s.result === undefined ? '' : letters[s.result]}`;
}

/** Every opcode key the validator types from a table, with its table entry. */
function validatorEntries(): Map<number, Signature & { naturalAlign?: number; lanes?: number }> {
  const entries = new Map<number, Signature & { naturalAlign?: number; lanes?: number }>();
  const add = (prefix: number, table: readonly (Signature | undefined)[]) =>
    table.forEach((s, code) => {
      if (s !== undefined) entries.set(opcodeKey(prefix, code), s);
    });
  add(0, numericOps);
  add(0, memoryOps);
  add(PREFIX_MISC, saturatingOps);
  add(PREFIX_SIMD, simdOps);
  add(PREFIX_SIMD, simdMemoryOps);
  add(PREFIX_SIMD, simdLaneOps);
  add(PREFIX_SIMD, simdMemoryLaneOps);
  return entries;
}

describe('validator: typing tables agree with runtime/opcodes.ts', () => {
  const mine = validatorEntries();

  it('types every table-typed opcode as the engine table does', () => {
    const differences: string[] = [];
    for (const [key, s] of mine) {
      const info: OpcodeInfo | undefined = opcodes.get(key);
      if (info === undefined) {
        differences.push(`0x${key.toString(16)}: not in the engine table`);
        continue;
      }
      if (info.sig !== asString(s)) {
        differences.push(`${info.name}: engine ${info.sig}, validator ${asString(s)}`);
      }
      const align = (s as MemorySignature).naturalAlign;
      if (align !== info.align) {
        differences.push(`${info.name}: alignment engine ${info.align}, validator ${align}`);
      }
      if (s.lanes !== info.lanes) {
        differences.push(`${info.name}: lanes engine ${info.lanes}, validator ${s.lanes}`);
      }
    }
    assert.deepEqual(differences, []);
    assert.ok(mine.size >= 390, `only ${mine.size} table-typed opcodes`);
  });

  it('leaves no plain numeric or SIMD opcode of the engine table untyped', () => {
    const missing: string[] = [];
    for (const [key, info] of opcodes) {
      const plain = info.immediate === 'none' || info.immediate === 'memarg';
      const prefix = key >> 8;
      const numeric = (key >= 0x45 && key <= 0xc4) || (key >= 0x28 && key <= 0x3e);
      if (plain && (numeric || prefix === PREFIX_SIMD) && !mine.has(key)) missing.push(info.name);
    }
    assert.deepEqual(missing, []);
  });
});
