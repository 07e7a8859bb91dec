// Table section (id 4): table types (reference type and limits).
import { BinaryReader } from '../reader';
import { TableType } from '../../model';
import { readTableType } from '../types';

export function decodeTableSection(r: BinaryReader): TableType[] {
  const count = r.u32();
  const tables: TableType[] = [];
  for (let i = 0; i < count; i++) tables.push(readTableType(r));
  return tables;
}
