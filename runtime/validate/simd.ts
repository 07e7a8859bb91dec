// Typing of the 0xFD-prefixed (SIMD, v128) instructions: table-driven for the plain ones, by
// hand for those with immediates (v128.const, i8x16.shuffle lane indices, extract/replace
// lane indices, load/store lane memargs).
import { ValType } from '../model';
import type { BodyValidator } from './body';
import { simdLaneOps, simdMemoryLaneOps, simdMemoryOps, simdOps } from './optable';

export function validateSimdInstruction(v: BodyValidator, sub: number): void {
  if (sub > 0xff) v.malformed(`illegal opcode 0xfd ${sub}`);
  const plain = simdOps[sub];
  if (plain !== undefined) {
    v.apply(plain);
    return;
  }
  const mem = simdMemoryOps[sub];
  if (mem !== undefined) {
    v.memarg(mem);
    v.apply(mem);
    return;
  }
  const lane = simdLaneOps[sub];
  if (lane !== undefined) {
    laneIndex(v, lane.lanes);
    v.apply(lane);
    return;
  }
  const memLane = simdMemoryLaneOps[sub];
  if (memLane !== undefined) {
    v.memarg(memLane);
    laneIndex(v, memLane.lanes);
    v.apply(memLane);
    return;
  }
  if (sub === 0x0c) {
    // v128.const i128
    v.skipBytes(16);
    v.push(ValType.v128);
    return;
  }
  if (sub === 0x0d) {
    // i8x16.shuffle: 16 lane indices into the 32 lanes of both operands
    for (let i = 0; i < 16; i++) laneIndex(v, 32);
    v.popExpect(ValType.v128);
    v.popExpect(ValType.v128);
    v.push(ValType.v128);
    return;
  }
  v.malformed(`illegal opcode 0xfd ${sub}`);
}

function laneIndex(v: BodyValidator, lanes: number): void {
  if (v.r.u8() >= lanes) v.fail('invalid lane index');
}
