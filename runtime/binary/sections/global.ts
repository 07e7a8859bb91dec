// Global section (id 6): each global's type and initializer expression.
import { BinaryReader } from '../reader';
import { Global } from '../../model';
import { readConstExpr, readGlobalType } from '../types';

export function decodeGlobalSection(r: BinaryReader): Global[] {
  const count = r.u32();
  const globals: Global[] = [];
  for (let i = 0; i < count; i++) {
    const type = readGlobalType(r);
    globals.push({ type, init: readConstExpr(r) });
  }
  return globals;
}
