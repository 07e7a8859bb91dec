// The real-program check: SQLite (the amalgamation npm better-sqlite3 ships) compiled to
// wasm32-wasi with its unix VFS, running a SQL workload against a database file in a preopened
// directory (sqlite/workload.c). Every engine must print exactly what Node's built-in
// `node:wasi` prints for the same program, and leave a byte-identical database file.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { engines, repo, runFile, tempDir } from './harness';

/** Runs the program under node:wasi in a child process (the reference host). */
const nodeWasiScript = `
const { WASI } = require('node:wasi');
const fs = require('fs');
const [file, dir, ...args] = process.argv.slice(1);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, preopens: { '/db': dir } });
const compiled = new WebAssembly.Module(fs.readFileSync(file));
process.exitCode = wasi.start(new WebAssembly.Instance(compiled, wasi.getImportObject()));
`;

describe('SQLite on WASI, against node:wasi', () => {
  let wasm = '';
  const reference = { stdout: '', db: Buffer.alloc(0) };
  let root = '';

  before(function () {
    this.timeout(900_000); // the first build compiles the 9 MB amalgamation
    const build = spawnSync('bash', [path.join(repo, 'wasi', 'test', 'sqlite', 'build.sh')], {
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `building SQLite failed:\n${build.stderr}`);
    wasm = path.join(repo, build.stdout.trim());
    root = tempDir('sqlite');
    const dir = path.join(root, 'node-wasi');
    fs.mkdirSync(dir);
    const run = spawnSync(
      process.execPath,
      ['--no-warnings', '-e', nodeWasiScript, wasm, dir, '/db/test.db'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stderr);
    reference.stdout = run.stdout;
    reference.db = fs.readFileSync(path.join(dir, 'test.db'));
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('node:wasi runs the workload (the reference is sane)', () => {
    assert.match(reference.stdout, /^count: n=2000 total=\d+\.\d+$/m);
    assert.match(reference.stdout, /^integrity: integrity_check=ok$/m);
    assert.match(reference.stdout, /reopened: n=1732 cities=50\ndone\n$/);
  });

  for (const engine of engines()) {
    it(`${engine.name}: same output and the same database file as node:wasi`, function () {
      this.timeout(120_000);
      const dir = path.join(root, engine.name);
      fs.mkdirSync(dir);
      const result = runFile(engine, wasm, {
        args: [wasm, '/db/test.db'],
        preopens: { '/db': dir },
      });
      assert.equal(result.stdout, reference.stdout);
      assert.equal(result.exitCode, 0);
      // The journal is gone and the database is what SQLite wrote under node:wasi, byte for byte.
      assert.deepEqual(fs.readdirSync(dir), ['test.db']);
      assert.ok(
        fs.readFileSync(path.join(dir, 'test.db')).equals(reference.db),
        'database files differ',
      );
    });
  }
});
