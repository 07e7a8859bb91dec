// Code section (id 10): for each defined function its locals (run-length groups) and the byte
// range of its instructions. Instructions are decoded later (validator, code generator).
// Cold start matters here (a big module has tens of thousands of bodies), so decoding
// allocates one object per body: it reads with the section's own reader, and bodies whose
// local declarations are alike share one (read-only) locals array.
import { BinaryReader } from '../reader';
import { FunctionBody, LocalGroup } from '../../model';
import { readValType } from '../types';

/** The spec caps a function's locals at 2^32 - 1. */
const MAX_LOCALS = 0xffffffff;

/** Shared by every body without local declarations. */
const NO_LOCALS: readonly LocalGroup[] = [];

/**
 * Declarations are interned under a number built from their groups (count, type) while it
 * stays exact: each group takes 19 bits (12 of count, 7 of type), at most two groups.
 */
const INTERN_MAX_COUNT = 0xfff;
const INTERN_MAX_GROUPS = 2;

export function decodeCodeSection(r: BinaryReader): FunctionBody[] {
  const count = r.u32();
  const bodies: FunctionBody[] = [];
  const interned = new Map<number, readonly LocalGroup[]>();
  const sectionEnd = r.end;
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const end = r.pos + size;
    if (end > sectionEnd) r.fail('unexpected end of section or function');
    // Reads inside the body stop at its end (restored below, also on the way out by a throw:
    // the decoder gives up on the whole module then).
    r.end = end;
    const groupCount = r.u32();
    let locals: readonly LocalGroup[] = NO_LOCALS;
    if (groupCount > 0) {
      const groupsAt = r.pos;
      let total = 0;
      // Interning key (see above); -1 once the declaration cannot be interned.
      let key = groupCount <= INTERN_MAX_GROUPS ? 1 : -1;
      for (let n = groupCount; n > 0; n--) {
        const at = r.pos;
        const c = r.u32();
        total += c;
        if (total > MAX_LOCALS) r.fail('too many locals', at);
        const type = readValType(r);
        if (key > 0) key = c <= INTERN_MAX_COUNT ? key * 0x80000 + c * 0x80 + (type & 0x7f) : -1;
      }
      const internable = key > 0;
      const shared = internable ? interned.get(key) : undefined;
      if (shared !== undefined) locals = shared;
      else {
        locals = readGroups(r, groupsAt, groupCount);
        if (internable) interned.set(key, locals);
      }
    }
    if (r.pos >= end) r.fail('unexpected end of section or function');
    bodies.push({ locals, start: r.pos, end });
    r.pos = end;
    r.end = sectionEnd;
  }
  return bodies;
}

/** Reads `count` groups already checked once, from `at`; leaves `r.pos` where it was. */
function readGroups(r: BinaryReader, at: number, count: number): LocalGroup[] {
  const after = r.pos;
  r.pos = at;
  const groups: LocalGroup[] = [];
  for (let n = count; n > 0; n--) groups.push({ count: r.u32(), type: readValType(r) });
  r.pos = after;
  return groups;
}
