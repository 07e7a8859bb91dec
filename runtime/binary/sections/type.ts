// Type section (id 1): the function types, each `0x60 vec(valtype) vec(valtype)`.
import { BinaryReader } from '../reader';
import { FuncType } from '../../model';
import { readValType } from '../types';

export function decodeTypeSection(r: BinaryReader): FuncType[] {
  const count = r.u32();
  const types: FuncType[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    if (r.u8() !== 0x60) r.fail('integer representation too long', at);
    const params: FuncType['params'] = [];
    for (let n = r.u32(); n > 0; n--) params.push(readValType(r));
    const results: FuncType['results'] = [];
    for (let n = r.u32(); n > 0; n--) results.push(readValType(r));
    types.push({ params, results });
  }
  return types;
}
