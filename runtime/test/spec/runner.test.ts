// Tests of the spec runner itself, on Node's built-in WebAssembly: a small script whose
// assertions are partly right and partly deliberately wrong must come out with exactly the
// wrong ones (marked `;; wrong`) failing, so a green suite run means the checks really compare.
import * as assert from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { v8Engine } from './engine-api';
import { FileResult, runScript } from './runner';
import { loadScript } from './script';
import { wrapperBytes } from './wrapper';

const SCRIPT = `
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "neg32") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "div32") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "splat") (param i32) (result v128) (i32x4.splat (local.get 0)))
  (func (export "addv") (param v128 v128) (result v128) (f32x4.add (local.get 0) (local.get 1)))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "pair") (result i32 i64) (i32.const 1) (i64.const 2))
  (func (export "trap") (unreachable))
  (func $loop (export "loop") (call $loop))
  (func (export "noop"))
  (global (export "g") i32 (i32.const 7))
)
(assert_return (invoke "add" (i32.const 1) (i32.const -1)) (i32.const 0))
(assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 3)) ;; wrong
(assert_return (invoke "add64" (i64.const -1) (i64.const 0)) (i64.const 0xffffffffffffffff))
(assert_return (invoke "add64" (i64.const 1) (i64.const 0)) (i64.const 2)) ;; wrong
(assert_return (invoke "neg32" (f32.const nan:0x200000)) (f32.const -nan:0x200000))
(assert_return (invoke "neg32" (f32.const nan:0x200000)) (f32.const -nan:0x400000)) ;; wrong
(assert_return (invoke "div32" (f32.const 0) (f32.const 0)) (f32.const nan:arithmetic))
(assert_return (invoke "neg32" (f32.const nan:0x200000)) (f32.const nan:arithmetic)) ;; wrong
(assert_return (invoke "splat" (i32.const 5)) (v128.const i32x4 5 5 5 5))
(assert_return (invoke "splat" (i32.const 5)) (v128.const i16x8 5 0 5 0 5 0 5 1)) ;; wrong
(assert_return (invoke "addv" (v128.const f32x4 1 2 3 4) (v128.const f32x4 1 1 1 1)) (v128.const f32x4 2 3 4 5))
(assert_return (invoke "addv" (v128.const f32x4 inf 1 1 1) (v128.const f32x4 -inf 1 1 1)) (v128.const f32x4 nan:canonical 2 2 2))
(assert_return (invoke "id" (ref.extern 1)) (ref.extern 1))
(assert_return (invoke "id" (ref.extern 1)) (ref.extern 2)) ;; wrong
(assert_return (invoke "id" (ref.null extern)) (ref.null extern))
(assert_return (invoke "pair") (i32.const 1) (i64.const 2))
(assert_return (invoke "pair") (i32.const 1) (i64.const 3)) ;; wrong
(assert_return (get "g") (i32.const 7))
(assert_return (get "g") (i32.const 8)) ;; wrong
(assert_trap (invoke "trap") "unreachable")
(assert_trap (invoke "noop") "unreachable") ;; wrong
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch") ;; wrong
(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
(assert_malformed (module binary "\\00asm\\01\\00\\00\\00") "unknown binary version") ;; wrong
(assert_malformed (module quote "(func") "unexpected end")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param f32)))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "incompatible import type") ;; wrong
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(module $M2 (func (export "f") (result i32) (i32.const 42)))
(register "m2" $M2)
(module (import "m2" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))
(assert_return (invoke "g") (i32.const 42))
(assert_return (invoke $M2 "f") (i32.const 42))
(assert_trap (module (memory 0) (data (i32.const 1) "x")) "out of bounds memory access")
(assert_trap (module (memory 1) (data (i32.const 1) "x")) "out of bounds memory access") ;; wrong
`;

/** Script lines of the assertions written to fail (marked `;; wrong`). */
function wrongLines(): number[] {
  const lines = SCRIPT.split('\n');
  return lines.flatMap((line, i) => (line.endsWith(';; wrong') ? [i + 1] : []));
}

describe('spec runner', function () {
  let result: FileResult;

  before(function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-runner-'));
    const wast = path.join(dir, 'runner.wast');
    fs.writeFileSync(wast, SCRIPT);
    result = runScript(v8Engine(), loadScript(wast, path.join(dir, 'cache')));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails exactly the wrong assertions, on their lines', function () {
    assert.deepStrictEqual(
      result.failures.map((f) => f.line),
      wrongLines(),
      result.failures.map((f) => `${f.line}: ${f.message}`).join('\n'),
    );
  });

  it('passes the right ones and skips text-format malformed modules', function () {
    // every command is one line starting with '(' (the first module's body is indented)
    const commands = SCRIPT.split('\n').filter((line) => line.startsWith('(')).length;
    assert.strictEqual(result.skipped, 1);
    assert.strictEqual(result.passed + result.failed, commands - 1);
    assert.strictEqual(result.failed, wrongLines().length);
  });

  it('says what was expected and what came back', function () {
    const v128 = result.failures.find((f) => f.message.includes('invoke splat('));
    assert.match(
      v128!.message,
      /expected \[v128 i16x8:\[5 0 5 0 5 0 5 1\]\], got \[v128 i16x8:\[5 0 5 0 5 0 5 0\]\]/,
    );
    const nan = result.failures.find((f) => f.message.includes('f32:0xffc00000'));
    assert.match(nan!.message, /got \[f32:0xffa00000\]/);
  });

  it('builds wrapper modules the engine validates', function () {
    const api = v8Engine();
    assert.ok(api.validate(wrapperBytes(['v128', 'externref', 'f64'], ['i64', 'funcref', 'v128'])));
    assert.ok(api.validate(wrapperBytes([], [])));
  });
});
