// SIMD code generation: v128 values are four i32 lanes held in JS locals; lane-wise work is done
// by helpers over typed-array views of a scratch buffer (runtime/exec/simd.ts).
import { BinaryReader } from '../binary/reader';
import { OpcodeInfo } from '../opcodes';
import { ValType } from '../model';

export interface StackOps {
  pop(): string[];
  push(t: ValType): string[];
}

export function simdOp(code: number, op: OpcodeInfo, r: BinaryReader, s: StackOps): string {
  void code;
  void s;
  r.fail(`unsupported instruction ${op.name}`);
}
