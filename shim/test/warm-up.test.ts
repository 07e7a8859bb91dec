// The spare worker's warm-up module: valid, and it really exercises WASI (it writes "xx").
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadEngine } from '../worker/engines';
import { warmModule, warmUp } from '../worker/warm-up';
import { WASI } from '../../wasi';
import { tempDir } from './harness';

describe('worker warm-up', () => {
  for (const name of ['tswasm', 'v8'] as const) {
    it(`runs on ${name}: fd_write twice to its stdout`, () => {
      const engine = loadEngine(name);
      const file = path.join(tempDir('tswasm-warm-'), 'out');
      const fd = fs.openSync(file, 'w');
      try {
        const wasi = new WASI({
          args: [],
          env: {},
          preopens: {},
          stdin: -1,
          stdout: fd,
          stderr: fd,
        });
        const instance = new engine.WebAssembly.Instance(
          new engine.WebAssembly.Module(warmModule()),
          { wasi_snapshot_preview1: wasi.wasiImport },
        );
        assert.equal(wasi.start(instance), 0);
      } finally {
        fs.closeSync(fd);
      }
      assert.equal(fs.readFileSync(file, 'utf8'), 'xx');
      warmUp(engine); // and the real thing neither throws nor writes anywhere visible
    });
  }
});
