// SIMD code generation: v128 values are four i32 lanes held in JS locals (s<k>, h<k>, x<k>,
// y<k>). Bitwise operations, v128 loads/stores and constants are inlined; everything else calls
// the lane-wise helper of the same name in runtime/exec/simd.ts, whose v128 result is read back
// from V.
import { BinaryReader } from '../binary/reader';
import { OpcodeInfo } from '../opcodes';
import { ValType } from '../model';

export interface StackOps {
  pop(): string[];
  push(t: ValType): string[];
}

const typeOf: Record<string, ValType> = {
  i: ValType.i32,
  I: ValType.i64,
  f: ValType.f32,
  F: ValType.f64,
  v: ValType.v128,
};

const fromV = (vars: string[]): string => vars.map((v, i) => `${v}=V[${i}];`).join('');

export function simdOp(op: OpcodeInfo, r: BinaryReader, s: StackOps): string {
  const name = op.name;
  const fn = `simd.${name.replace('.', '_')}`;
  const [ins, outs] = op.sig!.split('>');
  // Immediates.
  let offset = 0;
  let lane = -1;
  const consts: number[] = [];
  if (op.immediate === 'memarg' || op.immediate === 'memarg_lane') {
    r.u32();
    offset = r.u32();
    if (op.immediate === 'memarg_lane') lane = r.u8();
  } else if (op.immediate === 'lane') lane = r.u8();
  else if (op.immediate === 'v128' || op.immediate === 'shuffle') {
    const b = r.bytesOf(16);
    const dv = new DataView(b.buffer, b.byteOffset, 16);
    for (let i = 0; i < 4; i++) consts.push(dv.getInt32(i * 4, true));
  }
  const operands: string[][] = [];
  for (let i = ins.length - 1; i >= 0; i--) operands[i] = s.pop();
  const out = outs === '' ? [] : s.push(typeOf[outs]);
  const a = operands[0];
  const b = operands[1];
  const ea = (addr: string): string =>
    offset === 0 ? `(${addr}>>>0)` : `((${addr}>>>0)+${offset})`;

  switch (name) {
    case 'v128.const':
      return out.map((v, i) => `${v}=${consts[i]};`).join('');
    case 'v128.load':
      return `t0=${ea(a[0])};${out[3]}=M.getInt32(t0+12,true);${out[2]}=M.getInt32(t0+8,true);${out[1]}=M.getInt32(t0+4,true);${out[0]}=M.getInt32(t0,true);`;
    case 'v128.store':
      return `t0=${ea(a[0])};M.setInt32(t0+12,${b[3]},true);M.setInt32(t0+8,${b[2]},true);M.setInt32(t0+4,${b[1]},true);M.setInt32(t0,${b[0]},true);`;
    case 'v128.load32_zero':
      return `${out[0]}=M.getInt32(${ea(a[0])},true);${out[1]}=0;${out[2]}=0;${out[3]}=0;`;
    case 'v128.load64_zero':
      return `t0=${ea(a[0])};${out[1]}=M.getInt32(t0+4,true);${out[0]}=M.getInt32(t0,true);${out[2]}=0;${out[3]}=0;`;
    case 'v128.not':
      return out.map((v, i) => `${v}=~${a[i]};`).join('');
    case 'v128.and':
      return out.map((v, i) => `${v}=${a[i]}&${b[i]};`).join('');
    case 'v128.andnot':
      return out.map((v, i) => `${v}=${a[i]}&~${b[i]};`).join('');
    case 'v128.or':
      return out.map((v, i) => `${v}=${a[i]}|${b[i]};`).join('');
    case 'v128.xor':
      return out.map((v, i) => `${v}=${a[i]}^${b[i]};`).join('');
    case 'v128.bitselect': {
      const c = operands[2];
      return out.map((v, i) => `${v}=(${a[i]}&${c[i]})|(${b[i]}&~${c[i]});`).join('');
    }
    case 'v128.any_true':
      return `${out[0]}=(${a.join('|')})!==0?1:0;`;
    case 'i32x4.extract_lane':
      return `${out[0]}=${a[lane]};`;
    case 'i32x4.replace_lane':
      return a.map((v, i) => `${out[i]}=${i === lane ? b[0] : v};`).join('');
    case 'i64x2.extract_lane':
      return `${out[1]}=${a[2 * lane + 1]};${out[0]}=${a[2 * lane]};`;
    case 'i64x2.replace_lane':
      return a
        .map((v, i) => `${out[i]}=${i === 2 * lane ? b[0] : i === 2 * lane + 1 ? b[1] : v};`)
        .join('');
  }
  if (op.immediate === 'memarg' || op.immediate === 'memarg_lane') {
    const args = [`M`, ea(a[0]), ...(b ?? [])];
    if (lane >= 0) args.push(String(lane));
    const call = `${fn}(${args.join(',')});`;
    return out.length > 0 ? call + fromV(out) : call;
  }
  const args: string[] = [];
  for (const o of operands) args.push(...o);
  if (lane >= 0) args.push(String(lane));
  args.push(...consts.map(String));
  const call = `${fn}(${args.join(',')})`;
  if (outs === 'v') return `${call};${fromV(out)}`;
  if (outs === 'I') return `${out[0]}=${call};${out[1]}=H[0];`;
  return `${out[0]}=${call};`;
}
