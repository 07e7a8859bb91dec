// Code section (id 10): for each defined function its locals (run-length groups) and the byte
// range of its instructions. Instructions are decoded later (validator, code generator).
// Cold start matters here (a big module has tens of thousands of bodies), so decoding
// allocates one object per body: it reads with the section's own reader, and bodies whose
// local declarations are alike share one (read-only) locals array.
import { BinaryReader } from '../reader';
import { FunctionBody, LocalGroup, ValType } from '../../model';
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
  const bytes = r.bytes;
  const sectionEnd = r.end;
  for (let i = 0; i < count; i++) {
    // Fast path for the common encodings (a body size of one or two bytes, at most one group
    // of under 128 locals of a valid type); anything else goes through the checked reader.
    let p = r.pos;
    const b0 = p < sectionEnd ? bytes[p] : 0x80;
    const b1 = p + 1 < sectionEnd ? bytes[p + 1] : 0x80;
    let size: number;
    if (b0 < 0x80) {
      size = b0;
      p += 1;
    } else if (b1 < 0x80) {
      size = (b0 & 0x7f) | (b1 << 7);
      p += 2;
    } else {
      size = r.u32();
      p = r.pos;
    }
    const end = p + size;
    if (end > sectionEnd) r.fail('unexpected end of section or function', p);
    let locals: readonly LocalGroup[];
    if (
      p + 3 < end &&
      bytes[p] < 2 &&
      (bytes[p] === 0 || (bytes[p + 1] < 0x80 && VALID_TYPE[bytes[p + 2]] === 1))
    ) {
      if (bytes[p] === 0) {
        locals = NO_LOCALS;
        p += 1;
      } else {
        const key = 0x80000 + bytes[p + 1] * 0x80 + (bytes[p + 2] & 0x7f);
        let shared = interned.get(key);
        if (shared === undefined) {
          shared = [{ count: bytes[p + 1], type: bytes[p + 2] as ValType }];
          interned.set(key, shared);
        }
        locals = shared;
        p += 3;
      }
      r.pos = p;
    } else {
      r.pos = p;
      r.end = end;
      locals = readLocals(r, interned);
      r.end = sectionEnd;
    }
    if (r.pos >= end) r.fail('unexpected end of section or function');
    bodies.push({ locals, start: r.pos, end });
    r.pos = end;
  }
  return bodies;
}

/** Valid value types, by their byte (1 = valid). */
const VALID_TYPE = new Uint8Array(256);
for (const t of Object.values(ValType)) VALID_TYPE[t] = 1;

/**
 * Reads a body's local declarations with every check, `r.end` being the body's end (the
 * decoder gives up on the whole module if it throws); alike declarations share an array.
 */
function readLocals(
  r: BinaryReader,
  interned: Map<number, readonly LocalGroup[]>,
): readonly LocalGroup[] {
  const groupCount = r.u32();
  if (groupCount === 0) return NO_LOCALS;
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
  const shared = key > 0 ? interned.get(key) : undefined;
  if (shared !== undefined) return shared;
  const locals = readGroups(r, groupsAt, groupCount);
  if (key > 0) interned.set(key, locals);
  return locals;
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
