// The daemon's code-cache loader: it runs a bundle as node would (argv, require, __dirname),
// writes `<bundle>.v8cache` for the next boot, and ignores a cache made for another file.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheKey, readCache, writeCache } from '../manager/cached-boot';
import { repo, tempDir } from './harness';

const loader = path.join(repo, 'dist/shim/manager/cached-boot.js');

describe('cached-boot (the daemon loader)', function () {
  this.timeout(20_000);

  it('runs a bundle with its own argv, require and __dirname, and caches its code', () => {
    const dir = tempDir('tswasm-boot-');
    const bundle = path.join(dir, 'b.js');
    fs.writeFileSync(
      bundle,
      `const path = require('path');
       process.stdout.write(JSON.stringify({ argv: process.argv.slice(1), dir: __dirname,
         file: __filename, base: path.basename(__filename) }));`,
    );
    const run = () =>
      spawnSync(process.execPath, [loader, bundle, '-x', 'serve'], { encoding: 'utf8' });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), {
      argv: [bundle, '-x', 'serve'],
      dir,
      file: bundle,
      base: 'b.js',
    });
    assert.ok(fs.existsSync(`${bundle}.v8cache`), 'the first boot writes the cache');
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
  });

  it('takes a cache only for the key it was written with', () => {
    const dir = tempDir('tswasm-boot-');
    const bundle = path.join(dir, 'b.js');
    fs.writeFileSync(bundle, '1');
    const cache = path.join(dir, 'b.js.v8cache');
    const key = cacheKey(bundle);
    writeCache(cache, key, Buffer.from([1, 2, 3]));
    assert.deepEqual(readCache(cache, key), Buffer.from([1, 2, 3]));
    // a rebuilt bundle (other size) has another key: the old cache is not used
    fs.writeFileSync(bundle, '12');
    assert.equal(readCache(cache, cacheKey(bundle)), undefined);
    assert.equal(readCache(path.join(dir, 'missing'), key), undefined);
  });
});
