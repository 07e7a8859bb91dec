// Element section (id 9): segments in the eight encodings of 2.0 (flags 0-7): bit 0 passive or
// declarative, bit 1 explicit table index (active) or declarative, bit 2 expressions instead of
// function indices.
import { BinaryReader } from '../reader';
import { ConstExpr, ElemItems, ElemMode, ElemSegment, RefType, ValType } from '../../model';
import { readConstExpr, readRefType } from '../types';

export function decodeElementSection(r: BinaryReader): ElemSegment[] {
  const count = r.u32();
  const segments: ElemSegment[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail('malformed elements segment kind', at);
    let mode: ElemMode;
    if ((flags & 1) === 0) {
      const table = (flags & 2) !== 0 ? r.u32() : 0;
      mode = { kind: 'active', table, offset: readConstExpr(r) };
    } else {
      mode = (flags & 2) !== 0 ? { kind: 'declarative' } : { kind: 'passive' };
    }
    const usesExprs = (flags & 4) !== 0;
    let type: RefType = ValType.funcref;
    if ((flags & 3) !== 0) {
      if (usesExprs) type = readRefType(r);
      else {
        const kindAt = r.pos;
        if (r.u8() !== 0) r.fail('malformed element kind', kindAt);
      }
    }
    let items: ElemItems;
    const n = r.u32();
    if (usesExprs) {
      const exprs: ConstExpr[] = [];
      for (let k = 0; k < n; k++) exprs.push(readConstExpr(r));
      items = { kind: 'exprs', exprs };
    } else {
      const indices: number[] = [];
      for (let k = 0; k < n; k++) indices.push(r.u32());
      items = { kind: 'functions', indices };
    }
    segments.push({ type, mode, items });
  }
  return segments;
}
