// Runs the validator over the spec test suite's modules: every `assert_invalid` module must be
// rejected with the suite's reason, every plain `module` must be accepted. The .wast files
// are converted with wast2json into a temporary folder; the suite is read from
// $WASM_TESTSUITE_DIR or ../shared/wasm-testsuite next to the repository (never copied in).
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModule } from '../../binary/decoder';
import { validateModule, ValidationError } from '../index';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

const suiteDir =
  process.env.WASM_TESTSUITE_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'wasm-testsuite');

function hasWast2json(): boolean {
  try {
    execFileSync('wast2json', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Command {
  type: string;
  line: number;
  filename?: string;
  text?: string;
  module_type?: string;
}

/**
 * Invalid modules whose binary form cannot carry the suite's reason: they must still be
 * rejected, but the wording is not compared. Keyed by file:line of the assertion.
 */
const wordingExceptions: Record<string, string> = {
  // wabt encodes `select (result)` (no types) as the untyped select 0x1B, whose operands are
  // then missing: a type mismatch rather than "invalid result arity".
  'select.wast:324': 'wabt drops the empty result list of select',
};

/** Decodes and validates; returns the error thrown, or undefined when the module is valid. */
function check(bytes: Uint8Array): unknown {
  try {
    validateModule(decodeModule(bytes));
    return undefined;
  } catch (e) {
    return e;
  }
}

const wastFiles = fs.existsSync(suiteDir)
  ? fs
      .readdirSync(suiteDir)
      .filter((f) => f.endsWith('.wast'))
      .sort()
  : [];

describe('validator: spec test suite (assert_invalid rejected, modules accepted)', function () {
  let outDir = '';
  const totals = { invalidRejected: 0, invalid: 0, validAccepted: 0, valid: 0 };

  before(function () {
    if (wastFiles.length === 0 || !hasWast2json()) this.skip();
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-validate-'));
  });

  after(function () {
    if (outDir !== '') fs.rmSync(outDir, { recursive: true, force: true });
    if (totals.invalid + totals.valid > 0) {
      process.stdout.write(
        `      assert_invalid rejected ${totals.invalidRejected}/${totals.invalid}, ` +
          `modules accepted ${totals.validAccepted}/${totals.valid}\n`,
      );
    }
  });

  for (const file of wastFiles) {
    it(file, function () {
      const base = file.replace(/\.wast$/, '');
      const json = path.join(outDir, `${base}.json`);
      execFileSync('wast2json', ['--no-check', path.join(suiteDir, file), '-o', json], {
        stdio: 'ignore',
      });
      const commands = (JSON.parse(fs.readFileSync(json, 'utf8')) as { commands: Command[] })
        .commands;
      const problems: string[] = [];
      for (const cmd of commands) {
        const isModule = cmd.type === 'module';
        const isInvalid = cmd.type === 'assert_invalid';
        if ((!isModule && !isInvalid) || cmd.filename === undefined) continue;
        if (cmd.module_type !== undefined && cmd.module_type !== 'binary') continue;
        const bytes = fs.readFileSync(path.join(outDir, cmd.filename));
        const error = check(bytes);
        if (isModule) {
          totals.valid++;
          if (error === undefined) totals.validAccepted++;
          else problems.push(`line ${cmd.line}: valid module rejected: ${String(error)}`);
        } else {
          totals.invalid++;
          if (error === undefined) {
            problems.push(`line ${cmd.line}: invalid module accepted (${cmd.text})`);
          } else if (!(error instanceof ValidationError)) {
            problems.push(`line ${cmd.line}: expected "${cmd.text}", got ${String(error)}`);
          } else if (
            !error.reason.startsWith(cmd.text ?? '') &&
            wordingExceptions[`${file}:${cmd.line}`] === undefined
          ) {
            problems.push(`line ${cmd.line}: expected "${cmd.text}", got "${error.reason}"`);
          } else {
            totals.invalidRejected++;
          }
        }
      }
      assert.deepStrictEqual(problems, []);
    });
  }
});
