// Typing of the 0xFC-prefixed instructions: saturating float-to-int conversions, bulk memory
// (memory.init/copy/fill, data.drop) and the table instructions of reference types
// (table.init/copy/grow/size/fill, elem.drop).
import { ValType } from '../model';
import type { BodyValidator } from './body';
import { typeName } from './context';
import { saturatingOps } from './optable';

const i32 = ValType.i32;

export function validateMiscInstruction(v: BodyValidator, sub: number): void {
  const r = v.r;
  const ctx = v.ctx;
  if (sub < saturatingOps.length) {
    v.apply(saturatingOps[sub]);
    return;
  }
  switch (sub) {
    case 8: {
      // memory.init dataidx 0x00
      const index = r.u32();
      v.zeroByte();
      v.requireMemory();
      requireData(v, index);
      popI32s(v, 3);
      return;
    }
    case 9: // data.drop dataidx
      requireData(v, r.u32());
      return;
    case 10: // memory.copy 0x00 0x00
      v.zeroByte();
      v.zeroByte();
      v.requireMemory();
      popI32s(v, 3);
      return;
    case 11: // memory.fill 0x00
      v.zeroByte();
      v.requireMemory();
      popI32s(v, 3);
      return;
    case 12: {
      // table.init elemidx tableidx
      const elemIndex = r.u32();
      const tableType = v.tableType(r.u32());
      const elemType = ctx.elemTypes[elemIndex];
      if (elemType === undefined) v.fail(`unknown elem segment ${elemIndex}`);
      if (elemType !== tableType) {
        v.fail(
          `type mismatch: elem segment of ${typeName(elemType)} into a ${typeName(tableType)} table`,
        );
      }
      popI32s(v, 3);
      return;
    }
    case 13: {
      // elem.drop elemidx
      const index = r.u32();
      if (index >= ctx.elemTypes.length) v.fail(`unknown elem segment ${index}`);
      return;
    }
    case 14: {
      // table.copy dst src
      const dstType = v.tableType(r.u32());
      const srcType = v.tableType(r.u32());
      if (dstType !== srcType) {
        v.fail(
          `type mismatch: copying a ${typeName(srcType)} table into a ${typeName(dstType)} table`,
        );
      }
      popI32s(v, 3);
      return;
    }
    case 15: {
      // table.grow: [t i32] -> [i32]
      const t = v.tableType(r.u32());
      v.popExpect(i32);
      v.popExpect(t);
      v.push(i32);
      return;
    }
    case 16: // table.size: [] -> [i32]
      v.tableType(r.u32());
      v.push(i32);
      return;
    case 17: {
      // table.fill: [i32 t i32] -> []
      const t = v.tableType(r.u32());
      v.popExpect(i32);
      v.popExpect(t);
      v.popExpect(i32);
      return;
    }
    default:
      v.malformed(`illegal opcode 0xfc ${sub}`);
  }
}

function popI32s(v: BodyValidator, n: number): void {
  for (let i = 0; i < n; i++) v.popExpect(i32);
}

/**
 * The data segment must exist; memory.init and data.drop also need the data count section
 * (a binary-format rule, checked second so a missing segment reads as the suite expects).
 */
function requireData(v: BodyValidator, index: number): void {
  if (index >= v.ctx.module.datas.length) v.fail(`unknown data segment ${index}`);
  if (v.ctx.dataCount === undefined) v.malformed('data count section required');
}
