// Code section (id 10): for each defined function its locals (run-length groups) and the byte
// range of its instructions. Instructions are decoded later (validator, code generator).
import { BinaryReader } from '../reader';
import { FunctionBody, LocalGroup } from '../../model';
import { readValType } from '../types';

/** The spec caps a function's locals at 2^32 - 1. */
const MAX_LOCALS = 0xffffffff;

export function decodeCodeSection(r: BinaryReader): FunctionBody[] {
  const count = r.u32();
  const bodies: FunctionBody[] = [];
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const end = r.pos + size;
    if (end > r.end) r.fail('unexpected end of section or function');
    const body = new BinaryReader(r.bytes, r.pos, end);
    const locals: LocalGroup[] = [];
    let total = 0;
    for (let n = body.u32(); n > 0; n--) {
      const at = body.pos;
      const groupCount = body.u32();
      total += groupCount;
      if (total > MAX_LOCALS) body.fail('too many locals', at);
      locals.push({ count: groupCount, type: readValType(body) });
    }
    if (body.pos >= end) body.fail('unexpected end of section or function');
    bodies.push({ locals, start: body.pos, end });
    r.pos = end;
  }
  return bodies;
}
