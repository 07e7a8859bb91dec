// Interrupt polls are compiled in only while an interrupt flag is installed: code generated
// without a flag carries no poll at all, code generated with one polls at entry and in loops.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { setInterruptFlag } from '../index';
import { generateFunction } from '../codegen/compile';
import { compileModule } from '../exec/module-record';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');

describe('runtime interrupt polls', () => {
  const busy = (): string => {
    const record = compileModule(
      new Uint8Array(fs.readFileSync(path.join(fixtures, 'rt_busy.wasm'))),
    );
    return generateFunction(record.info, record.info.importedFuncs).source;
  };

  afterEach(() => setInterruptFlag(undefined));

  it('emits no poll code when no interrupt flag is installed', () => {
    setInterruptFlag(undefined);
    const source = busy();
    assert.doesNotMatch(source, /poll\(|IF\b/);
  });

  it('polls the flag at entry and in the loop once a flag is installed', () => {
    setInterruptFlag(new Int32Array(new SharedArrayBuffer(4)));
    const source = busy();
    assert.equal(source.match(/if\(IF\[0\]!==0\)poll\(IF\);/g)?.length, 2, source);
    assert.match(source, /const IF=R\.interrupt\.flag;/);
  });
});
