// Which calls may grow linear memory: a call to a function that cannot (directly or through
// anything it calls) need not be followed by a refresh of the memory view, and a function
// whose calls all cannot may bind the view once (see "Bound view" in compile.ts).
// A function may grow memory if it executes memory.grow, makes an indirect call or calls an
// import (host code may grow an exported memory), or calls a function that may.
import { BinaryReader } from '../binary/reader';
import { opcodeInfo, readOpcode, skipImmediates } from '../binary/instructions';
import { ModuleInfo } from './compile';

/** What one function body does directly. */
interface DirectFacts {
  /** memory.grow, call_indirect or a call to an import. */
  grows: boolean;
  callees: number[];
}

interface Analysis {
  direct: (DirectFacts | undefined)[];
  /** Settled answers: true may grow, false cannot. */
  result: (boolean | undefined)[];
}

const analyses = new WeakMap<ModuleInfo, Analysis>();

/** Functions (and their bodies' bytes) one question may scan before answering "may grow". */
const MAX_FUNCTIONS = 2000;
const MAX_BYTES = 1 << 20;

function directFacts(info: ModuleInfo, index: number): DirectFacts {
  const body = info.module.codes[index - info.importedFuncs];
  const r = new BinaryReader(info.module.bytes, body.start, body.end);
  const callees = new Set<number>();
  let grows = false;
  while (r.pos < body.end && !grows) {
    const at = r.pos;
    const key = readOpcode(r);
    if (key === 0x10) {
      const callee = r.u32();
      if (callee < info.importedFuncs) grows = true;
      else callees.add(callee);
      continue;
    }
    if (key === 0x40 || key === 0x11) grows = true;
    skipImmediates(r, opcodeInfo(r, key, at));
  }
  return { grows, callees: [...callees] };
}

/** Whether calling function `index` may grow the module's memory. */
export function callMayGrowMemory(info: ModuleInfo, index: number): boolean {
  if (index < info.importedFuncs) return true;
  let a = analyses.get(info);
  if (a === undefined) {
    a = { direct: [], result: [] };
    analyses.set(info, a);
  }
  const known = a.result[index];
  if (known !== undefined) return known;
  // Everything reachable from `index`: if none grows, none of them can.
  const seen = new Set<number>([index]);
  const work = [index];
  let bytes = 0;
  let grows = false;
  while (work.length > 0) {
    const f = work.pop()!;
    if (a.result[f] === true) {
      grows = true;
      break;
    }
    if (a.result[f] === false) continue;
    let facts = a.direct[f];
    if (facts === undefined) {
      const body = info.module.codes[f - info.importedFuncs];
      bytes += body.end - body.start;
      facts = directFacts(info, f);
      a.direct[f] = facts;
    }
    if (facts.grows || seen.size > MAX_FUNCTIONS || bytes > MAX_BYTES) {
      grows = true;
      break;
    }
    for (const c of facts.callees) {
      if (!seen.has(c)) {
        seen.add(c);
        work.push(c);
      }
    }
  }
  if (grows) a.result[index] = true;
  else for (const f of seen) a.result[f] = false;
  return grows;
}
