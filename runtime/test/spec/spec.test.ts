// The WebAssembly core spec suite as mocha tests: one test per .wast file, run on tswasm's
// engine (runtime/index.ts) once it exists, on Node's built-in WebAssembly before that
// (SPEC_ENGINE=v8|tswasm chooses). On tswasm, files listed in pending.json are run and reported
// as skipped with their failure count; one that passes fully fails the test, so it gets removed.
import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineName, WasmApi, loadEngine, tswasmBuilt } from './engine-api';
import { PendingList, readPending } from './pending';
import { runScript } from './runner';
import { coreScripts, loadScript, suiteDir } from './script';

const SHOWN_FAILURES = 5;

function chooseEngine(): EngineName {
  const requested = process.env.SPEC_ENGINE;
  if (requested === 'v8' || requested === 'tswasm') return requested;
  // only look for the file here: loading the engine happens inside a test, so a broken
  // engine fails tests instead of the whole mocha run
  return tswasmBuilt() ? 'tswasm' : 'v8';
}

describe('spec suite', function () {
  const dir = suiteDir();
  if (!fs.existsSync(dir)) {
    it(`needs the suite at ${dir} (set WASM_TESTSUITE_DIR)`, function () {
      this.skip();
    });
    return;
  }
  const engineName = chooseEngine();
  // pending.json speaks about tswasm only: V8 is expected to pass everything
  const pending: PendingList = engineName === 'tswasm' ? readPending() : {};
  const files = coreScripts(dir);
  let api: WasmApi | undefined;

  it(`pending.json names only files of the suite (${engineName})`, function () {
    const names = new Set(files.map((f) => path.basename(f)));
    assert.deepStrictEqual(
      Object.keys(pending).filter((name) => !names.has(name)),
      [],
    );
  });

  for (const file of files) {
    const name = path.basename(file);
    describe(name, function () {
      it(`passes on ${engineName}`, function () {
        api ??= loadEngine(engineName);
        const result = runScript(api, loadScript(file));
        const reason = pending[name];
        if (result.failed === 0) {
          assert.ok(reason === undefined, `${name} now passes: remove ${name} from pending.json`);
          return;
        }
        if (reason !== undefined) {
          this.test!.title += ` (pending: ${result.failed} of ${result.passed + result.failed} fail)`;
          this.skip();
        }
        const shown = result.failures
          .slice(0, SHOWN_FAILURES)
          .map((f) => `  line ${f.line}: ${f.message.slice(0, 400)}`)
          .join('\n');
        assert.fail(
          `${result.failed} of ${result.passed + result.failed} commands failed:\n${shown}`,
        );
      });
    });
  }
});
