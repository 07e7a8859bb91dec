// The custom `name` section: module name (subsection 0), function names (1), local names (2).
// Other subsections are skipped. A malformed name section is ignored, as the spec allows.
import { BinaryReader, DecodeError } from '../reader';
import { Names } from '../../model';

export function emptyNames(): Names {
  return { module: undefined, functions: new Map(), locals: new Map() };
}

function readNameMap(r: BinaryReader): Map<number, string> {
  const map = new Map<number, string>();
  for (let n = r.u32(); n > 0; n--) {
    const index = r.u32();
    map.set(index, r.name());
  }
  return map;
}

/** Decodes the payload of a `name` custom section; returns empty names if it is malformed. */
export function decodeNameSection(bytes: Uint8Array, start: number, end: number): Names {
  const names = emptyNames();
  try {
    const r = new BinaryReader(bytes, start, end);
    while (!r.atEnd) {
      const id = r.u8();
      const size = r.u32();
      const sub = new BinaryReader(bytes, r.pos, r.pos + size);
      if (sub.end > end) return emptyNames();
      if (id === 0) names.module = sub.name();
      else if (id === 1) names.functions = readNameMap(sub);
      else if (id === 2) {
        for (let n = sub.u32(); n > 0; n--) {
          const func = sub.u32();
          names.locals.set(func, readNameMap(sub));
        }
      }
      r.pos = sub.end;
    }
    return names;
  } catch (e) {
    if (e instanceof DecodeError) return emptyNames();
    throw e;
  }
}
