// The list of spec files tswasm runs but does not pass yet (pending.json: file name → reason).
// The mocha test reports them as skipped, and fails when one of them passes fully, so the
// list can only shrink. `main.js --write-pending` rewrites it from a run.
import * as fs from 'fs';
import * as path from 'path';
import type { FileResult } from './runner';
import { repoRoot } from './script';

export type PendingList = Record<string, string>;

/** The source file (not a copy in dist/), so the CLI can rewrite it. */
export function pendingPath(): string {
  return path.join(repoRoot(), 'runtime', 'test', 'spec', 'pending.json');
}

export function readPending(): PendingList {
  return JSON.parse(fs.readFileSync(pendingPath(), 'utf8')) as PendingList;
}

/** Lists every failing file, keeping reasons already written by hand. */
export function writePending(results: FileResult[], previous: PendingList): PendingList {
  const next: PendingList = {};
  for (const result of results) {
    if (result.failed === 0) continue;
    const first = result.failures[0];
    next[result.name] =
      previous[result.name] ?? `fails, first at line ${first.line}: ${first.message.slice(0, 160)}`;
  }
  fs.writeFileSync(pendingPath(), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
