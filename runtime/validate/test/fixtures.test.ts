// End-to-end checks through the engine's decoder: the val_features fixture (every 2.0 feature
// family) validates, and an invalid module assembled at test time with its name section
// yields an error naming the function, the offset and the instruction.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModule } from '../../binary/decoder';
import { validateModule, ValidationError } from '../index';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** Assembles wat text without wabt's own validation, keeping function names. */
function assembleUnchecked(wat: string): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-val-'));
  try {
    fs.writeFileSync(path.join(dir, 'm.wat'), wat);
    execFileSync('wat2wasm', ['--no-check', '--debug-names', 'm.wat', '-o', 'm.wasm'], {
      cwd: dir,
      stdio: 'pipe',
    });
    return new Uint8Array(fs.readFileSync(path.join(dir, 'm.wasm')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('validator: fixtures through the decoder', () => {
  it('accepts val_features.wasm', () => {
    const bytes = fs.readFileSync(path.join(repoRoot(), 'build/fixtures/val_features.wasm'));
    const module = decodeModule(new Uint8Array(bytes));
    assert.equal(module.codes.length, 4);
    validateModule(module);
  });

  it('names the function, offset and instruction of an invalid body', () => {
    const bytes = assembleUnchecked(`(module
      (func $ok (result i32) (i32.const 1))
      (func $bad (param i64) (result i32)
        (i32.add (local.get 0) (call $ok))))`);
    const module = decodeModule(bytes);
    const addOffset = module.codes[1].end - 2; // i32.add, just before the final end
    assert.equal(bytes[addOffset], 0x6a);
    assert.throws(
      () => validateModule(module),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.funcIndex === 1 &&
        e.offset === addOffset &&
        e.reason === 'type mismatch: expected i32, found i64' &&
        e.message ===
          `function 1 "bad" at 0x${addOffset.toString(16)} (i32.add): type mismatch: expected i32, found i64`,
    );
  });

  it('names the construct of a module-level error', () => {
    const module = decodeModule(assembleUnchecked(`(module (memory 1) (data (i64.const 0) "x"))`));
    assert.throws(
      () => validateModule(module),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.funcIndex === undefined &&
        e.reason.startsWith('type mismatch') &&
        e.message.startsWith('data segment 0 offset at 0x'),
    );
  });
});
