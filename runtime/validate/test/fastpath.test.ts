// Tests aimed at the edges of the body validator's inline fast paths (body.ts `run`): each
// fast path only handles short immediates and well-typed stacks and hands everything else to
// the plain per-instruction code, so these check both sides of every hand-over point —
// multi-byte indices and labels, deep nesting, long constants, truncated immediates, memory
// arguments, and stacks made polymorphic by unreachable code.
import assert from 'node:assert/strict';
import { DecodeError } from '../../binary/reader';
import { validateModule, ValidationError } from '../index';
import { FuncType, GlobalType, ValType, WasmModule } from '../../model';
import { Built, build, f32, f64, i32, i64, leb, oneFunction } from './builder';
import { primingModule } from '../prime';

function valid(built: Built): void {
  validateModule(built.module);
}

function invalid(built: Built, reason: string): ValidationError {
  let caught: unknown;
  try {
    validateModule(built.module);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ValidationError, `expected ValidationError, got ${String(caught)}`);
  assert.equal(caught.reason, reason);
  return caught;
}

function malformed(module: WasmModule, message: string): void {
  assert.throws(
    () => validateModule(module),
    (e: unknown) => e instanceof DecodeError && e.message.startsWith(message),
  );
}

/** A signed LEB128 of a 32-bit value, padded to `width` bytes when given. */
function sleb(value: number, width = 0): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    if (done && out.length + 1 >= width) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const void0: FuncType = { params: [], results: [] };
const toI32: FuncType = { params: [], results: [i32] };

describe('validator: inline fast paths and their hand-over', () => {
  it('reads one-, two- and five-byte local indices', () => {
    const locals = [
      { count: 300, type: f32 },
      { count: 20_000, type: i64 },
    ];
    const type = { params: [i32], results: [] };
    // local 200 is f32 (two-byte index), local 17000 is i64 (three-byte index)
    valid(oneFunction(type, [0x20, ...leb(200), 0x21, ...leb(250)], { locals }));
    valid(oneFunction(type, [0x20, ...leb(17_000), 0x22, ...leb(400), 0x1a], { locals }));
    // a non-minimal five-byte encoding of 0
    valid(oneFunction(type, [0x20, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a], { locals }));
    invalid(
      oneFunction(type, [0x20, ...leb(200), 0x21, ...leb(17_000)], { locals }),
      'type mismatch: expected i64, found f32',
    );
    invalid(oneFunction(type, [0x20, ...leb(20_301), 0x1a], { locals }), 'unknown local 20301');
    invalid(oneFunction(type, [0x41, 0, 0x21, ...leb(20_301)], { locals }), 'unknown local 20301');
    // local.tee on an empty stack, and local.set of a wrong type into a two-byte index
    invalid(
      oneFunction(type, [0x22, 0, 0x1a], { locals }),
      'type mismatch: expected i32, found nothing',
    );
    invalid(
      oneFunction(type, [0x41, 0, 0x21, ...leb(200)], { locals }),
      'type mismatch: expected f32, found i32',
    );
  });

  it('checks i32.const encodings of every length', () => {
    for (const value of [0, -1, 63, 64, -65, 8191, 1 << 20, 0x7fffffff, -0x80000000]) {
      valid(oneFunction(toI32, [0x41, ...sleb(value)]));
      valid(oneFunction(toI32, [0x41, ...sleb(value, 5)]));
    }
    // fifth byte with unused bits that do not extend the sign
    malformed(oneFunction(toI32, [0x41, 0xff, 0xff, 0xff, 0xff, 0x4f]).module, 'integer too large');
    malformed(oneFunction(toI32, [0x41, 0x80, 0x80, 0x80, 0x80, 0x70]).module, 'integer too large');
    malformed(
      oneFunction(toI32, [0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).module,
      'integer representation too long',
    );
    // i64.const of ten bytes, f32/f64 constants
    valid(
      oneFunction(
        { params: [], results: [i64] },
        [0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
      ),
    );
    valid(oneFunction({ params: [], results: [f64] }, [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
    invalid(oneFunction(toI32, [0x43, 0, 0, 0x80, 0x3f]), 'type mismatch: expected i32, found f32');
  });

  it('reports an immediate cut off by the end of the body as malformed', () => {
    // The body's bytes end inside the immediate: the next body's bytes must not be read.
    const cut = (code: number[]): WasmModule => {
      const built = build({
        types: [toI32],
        funcs: [
          { type: 0, body: [0x41, 0] },
          { type: 0, body: [0x41, 0] },
        ],
      });
      const bytes = Array.from(built.module.bytes);
      const first = built.module.codes[0];
      bytes.splice(first.start, first.end - first.start, ...code);
      const shift = code.length - (first.end - first.start);
      const module = { ...built.module, bytes: Uint8Array.from(bytes) };
      module.codes = [
        { ...first, end: first.start + code.length },
        {
          ...built.module.codes[1],
          start: built.module.codes[1].start + shift,
          end: built.module.codes[1].end + shift,
        },
      ];
      return module;
    };
    for (const code of [
      [0x41, 0x80], // i32.const
      [0x20], // local.get
      [0x41, 0, 0x21], // local.set
      [0x43, 0, 0], // f32.const
      [0x44, 0, 0, 0, 0], // f64.const
      [0x10], // call
      [0x0d], // br_if
      [0x02], // block
    ]) {
      assert.throws(() => validateModule(cut(code)), DecodeError, `body ${code.join(' ')}`);
    }
  });

  it('reads labels past 127 enclosing blocks', () => {
    const depth = 200;
    const open = new Array<number>(depth).fill(0).flatMap(() => [0x02, 0x40]);
    const close = new Array<number>(depth).fill(0x0b);
    // br_if 190 and br 199 (two-byte labels) from the innermost block
    valid(oneFunction(void0, [...open, 0x41, 1, 0x0d, ...leb(190), 0x0c, ...leb(199), ...close]));
    // label 200 is the function itself; 201 does not exist
    valid(oneFunction(void0, [...open, 0x0c, ...leb(200), ...close]));
    invalid(oneFunction(void0, [...open, 0x0c, ...leb(201), ...close]), 'unknown label 201');
    invalid(
      oneFunction(void0, [...open, 0x41, 0, 0x0d, ...leb(201), ...close]),
      'unknown label 201',
    );
    // an i32 result carried out through 150 blocks by a branch from the innermost one
    const typed = new Array<number>(150).fill(0).flatMap(() => [0x02, 0x7f]);
    valid(
      oneFunction(toI32, [
        ...typed,
        0x41,
        7,
        0x0c,
        ...leb(149),
        ...new Array<number>(150).fill(0x0b),
      ]),
    );
    invalid(
      oneFunction(toI32, [
        ...typed,
        0x42,
        7,
        0x0c,
        ...leb(149),
        ...new Array<number>(150).fill(0x0b),
      ]),
      'type mismatch: expected i32, found i64',
    );
  });

  it('types br_if, br and return against their targets', () => {
    const block = (results: number[], code: number[]) => [0x02, ...results, ...code, 0x0b];
    valid(oneFunction(toI32, block([0x7f], [0x41, 1, 0x41, 0, 0x0d, 0])));
    invalid(
      oneFunction(toI32, block([0x7f], [0x42, 1, 0x41, 0, 0x0d, 0])),
      'type mismatch: expected i32, found i64',
    );
    invalid(
      oneFunction(toI32, block([0x7f], [0x41, 1, 0x42, 0, 0x0d, 0])),
      'type mismatch: expected i32, found i64',
    );
    invalid(
      oneFunction(toI32, block([0x7f], [0x41, 0, 0x0d, 0])),
      'type mismatch: expected i32, found nothing',
    );
    valid(oneFunction(toI32, [0x41, 3, 0x0f]));
    invalid(oneFunction(toI32, [0x0f]), 'type mismatch: expected i32, found nothing');
    // after return the stack is polymorphic: end accepts the unknown result
    valid(oneFunction(toI32, [0x41, 3, 0x0f, 0x6a]));
    // br_if in unreachable code pushes its label types, so the second br_if finds an f32
    invalid(
      oneFunction({ params: [], results: [f32] }, [0x00, 0x0d, 0, 0x1a, 0x43, 0, 0, 0, 0, 0x0d, 0]),
      'type mismatch: expected i32, found f32',
    );
  });

  it('checks end and else against the frame results', () => {
    valid(oneFunction(toI32, [0x41, 1, 0x04, 0x7f, 0x41, 2, 0x05, 0x41, 3, 0x0b]));
    invalid(
      oneFunction(toI32, [0x41, 1, 0x04, 0x7f, 0x42, 2, 0x05, 0x41, 3, 0x0b]),
      'type mismatch: expected i32, found i64',
    );
    invalid(
      oneFunction(toI32, [0x41, 1, 0x04, 0x7f, 0x41, 2, 0x41, 2, 0x05, 0x41, 3, 0x0b]),
      'type mismatch: 1 value left on the stack at the end of a block returning [i32]',
    );
    // the else branch is reachable again after an unreachable then branch
    invalid(
      oneFunction(toI32, [0x41, 1, 0x04, 0x7f, 0x00, 0x05, 0x0b]),
      'type mismatch: expected i32, found nothing',
    );
    valid(oneFunction(void0, [0x41, 1, 0x04, 0x40, 0x0b]));
    malformed(oneFunction(void0, [0x02, 0x40, 0x05, 0x0b]).module, 'misplaced ELSE opcode');
    // if without else of type [] -> [i32] is refused
    invalid(
      oneFunction(toI32, [0x41, 1, 0x04, 0x7f, 0x41, 2, 0x0b]),
      'type mismatch: if without else must leave its parameters [] as its results [i32]',
    );
    // end concretises unknown results
    invalid(
      oneFunction({ params: [], results: [i64] }, [0x02, 0x7f, 0x00, 0x0b, 0xad, 0x1a, 0x41, 0]),
      'type mismatch: expected i64, found i32',
    );
  });

  it('reads call indices of one to five bytes', () => {
    const count = 20_000;
    const types = [toI32, { params: [i32, f64], results: [i64] }];
    const funcs = Array.from({ length: count }, (_, i) => ({
      type: i === 17_000 ? 1 : 0,
      body: i === 17_000 ? [0x42, 0] : [0x41, 0],
    }));
    funcs[0] = { type: 0, body: [0x10, ...leb(300), 0x10, ...leb(19_999), 0x6a] };
    valid(build({ types, funcs }));
    funcs[0] = {
      type: 0,
      body: [0x41, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, ...leb(17_000), 0xa7],
    };
    valid(build({ types, funcs }));
    funcs[0] = { type: 0, body: [0x41, 0, 0x41, 0, 0x10, ...leb(17_000), 0xa7] };
    invalid(build({ types, funcs }), 'type mismatch: expected f64, found i32');
    funcs[0] = { type: 0, body: [0x10, ...leb(count)] };
    invalid(build({ types, funcs }), `unknown function ${count}`);
    funcs[0] = { type: 0, body: [0x10, 0x80, 0x80, 0x80, 0x80, 0x00] }; // five-byte 0: a recursion
    valid(build({ types, funcs }));
  });

  it('reads global indices past 127 and checks mutability', () => {
    const mutable: GlobalType = { valType: i32, mutable: true };
    const constant: GlobalType = { valType: f32, mutable: false };
    const globals = Array.from({ length: 200 }, (_, i) => ({
      type: i % 2 === 0 ? mutable : constant,
      init: i % 2 === 0 ? [0x41, 0] : [0x43, 0, 0, 0, 0],
    }));
    const one = (body: number[]) => build({ types: [void0], funcs: [{ type: 0, body }], globals });
    valid(one([0x23, ...leb(150), 0x24, ...leb(150)]));
    valid(one([0x23, ...leb(151), 0x1a]));
    invalid(one([0x23, ...leb(150), 0x24, ...leb(151)]), 'global is immutable');
    invalid(one([0x23, ...leb(149), 0x24, ...leb(150)]), 'type mismatch: expected i32, found f32');
    invalid(one([0x23, ...leb(200), 0x1a]), 'unknown global 200');
  });

  it('checks memory arguments: alignment, offsets of any length, the memory itself', () => {
    const memories = [{ limits: { min: 1, max: undefined } }];
    const load = (align: number[], offset: number[]) => [0x41, 0, 0x28, ...align, ...offset];
    valid(oneFunction(toI32, load([2], [0]), { memories }));
    valid(oneFunction(toI32, load([0], leb(0xffffffff)), { memories }));
    valid(oneFunction(toI32, load([0x82, 0x00], [0x80, 0x00]), { memories }));
    invalid(
      oneFunction(toI32, load([3], [0]), { memories }),
      'alignment must not be larger than natural',
    );
    invalid(
      oneFunction(toI32, load([0x83, 0x00], [0]), { memories }),
      'alignment must not be larger than natural',
    );
    invalid(oneFunction(toI32, load([2], [0])), 'unknown memory 0');
    malformed(
      oneFunction(toI32, load([2], [0xff, 0xff, 0xff, 0xff, 0x1f]), { memories }).module,
      'integer too large',
    );
    // stores: address then value
    valid(oneFunction(void0, [0x41, 0, 0x42, 0, 0x37, 3, 0], { memories }));
    invalid(
      oneFunction(void0, [0x42, 0, 0x42, 0, 0x37, 3, 0], { memories }),
      'type mismatch: expected i32, found i64',
    );
    invalid(
      oneFunction(void0, [0x41, 0, 0x41, 0, 0x37, 3, 0], { memories }),
      'type mismatch: expected i64, found i32',
    );
    invalid(
      oneFunction(void0, [0x42, 0, 0x37, 3, 0], { memories }),
      'type mismatch: expected i32, found nothing',
    );
  });

  it('types numeric instructions on exact, missing and unknown operands', () => {
    valid(oneFunction(toI32, [0x41, 1, 0x41, 2, 0x6a]));
    invalid(oneFunction(toI32, [0x41, 1, 0x6a]), 'type mismatch: expected i32, found nothing');
    invalid(oneFunction(toI32, [0x42, 1, 0x41, 2, 0x6a]), 'type mismatch: expected i32, found i64');
    invalid(oneFunction(toI32, [0x41, 1, 0x42, 2, 0x6a]), 'type mismatch: expected i32, found i64');
    // unreachable; f32.const; i32.add: the known operand is still checked
    invalid(
      oneFunction(toI32, [0x00, 0x43, 0, 0, 0, 0, 0x6a]),
      'type mismatch: expected i32, found f32',
    );
    valid(oneFunction(toI32, [0x00, 0x41, 0, 0x6a]));
    // conversions and comparisons change the type
    valid(oneFunction(toI32, [0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa]));
    valid(oneFunction(toI32, [0x42, 1, 0x42, 2, 0x51]));
    // select: numeric operands only, same type
    valid(oneFunction({ params: [], results: [i64] }, [0x42, 1, 0x42, 2, 0x41, 0, 0x1b]));
    invalid(
      oneFunction(toI32, [0x41, 1, 0x42, 2, 0x41, 0, 0x1b]),
      'type mismatch: expected i64, found i32',
    );
    invalid(
      oneFunction(toI32, [0xd0, 0x70, 0xd0, 0x70, 0x41, 0, 0x1b, 0x1a, 0x41, 0]),
      'type mismatch: select without a type needs numeric or vector operands',
    );
    assert.equal(ValType.i32, i32);
  });
});

describe('validator: the priming module', () => {
  it('is valid, and validating it leaves later results unchanged', () => {
    const module = primingModule();
    validateModule(module);
    // functions share the priming body; the last one is empty and called by it
    assert.equal(module.codes.length, module.funcs.length);
    invalid(oneFunction(toI32, [0x42, 0]), 'type mismatch: expected i32, found i64');
    validateModule(module);
  });
});
