// Validator unit tests on hand-built modules: each rule with a module that breaks it (and the
// spec suite's reason) next to one that keeps it, plus the error's location fields.
import assert from 'node:assert/strict';
import { DecodeError } from '../../binary/reader';
import { validateModule, ValidationError } from '../index';
import { ValType, WasmModule } from '../../model';
import {
  Built,
  build,
  externref,
  f32,
  f64,
  funcref,
  i32,
  i64,
  leb,
  oneFunction,
  v128,
} from './builder';

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
  assert.ok(
    caught.reason.startsWith(reason),
    `expected reason "${reason}", got "${caught.reason}"`,
  );
  return caught;
}

function malformed(module: WasmModule, message: string): void {
  assert.throws(
    () => validateModule(module),
    (e: unknown) => e instanceof DecodeError && e.message.startsWith(message),
  );
}

const void0 = { params: [], results: [] };
const toI32 = { params: [], results: [i32] };

describe('validator: instructions', () => {
  it('accepts well-typed arithmetic and rejects a mismatch, naming function and offset', () => {
    // (i32.add (local.get 0) (i32.const 1))
    valid(oneFunction({ params: [i32], results: [i32] }, [0x20, 0, 0x41, 1, 0x6a]));
    const built = oneFunction(
      { params: [i64], results: [i32] },
      [0x20, 0, 0x41, 1, 0x6a], // i64 + i32
      { functionNames: [[0, 'adder']], imports: [] },
    );
    const err = invalid(built, 'type mismatch');
    assert.equal(err.funcIndex, 0);
    assert.equal(err.offset, built.bodyStarts[0] + 4); // the i32.add
    assert.match(err.message, /^function 0 "adder" at 0x[0-9a-f]+ \(i32.add\): type mismatch/);
  });

  it('counts imported functions in the function index of errors', () => {
    const built = build({
      types: [void0],
      imports: [{ module: 'm', name: 'f', desc: { kind: 'function', typeIndex: 0 } }],
      funcs: [{ type: 0, body: [0x41, 0] }], // leaves an i32 behind
    });
    assert.equal(invalid(built, 'type mismatch').funcIndex, 1);
  });

  it('checks local indices, including declared locals', () => {
    const type = { params: [i32], results: [] };
    valid(oneFunction(type, [0x20, 1, 0x1a], { locals: [{ count: 2, type: f32 }] }));
    invalid(
      oneFunction(type, [0x20, 3, 0x1a], { locals: [{ count: 2, type: f32 }] }),
      'unknown local 3',
    );
    // local.set of an f32 local from an i32
    invalid(
      oneFunction(type, [0x20, 0, 0x21, 1], { locals: [{ count: 1, type: f32 }] }),
      'type mismatch',
    );
  });

  it('looks up locals by group when a body declares very many', () => {
    const locals = [
      { count: 2_000_000, type: f64 },
      { count: 1, type: i64 },
    ];
    // local 0 is the i32 parameter, 1..2000000 are f64, 2000001 is the i64
    valid(oneFunction({ params: [i32], results: [i64] }, [0x20, ...leb(2_000_001)], { locals }));
    valid(oneFunction({ params: [i32], results: [f64] }, [0x20, ...leb(2_000_000)], { locals }));
    invalid(
      oneFunction({ params: [i32], results: [i64] }, [0x20, ...leb(2_000_000)], { locals }),
      'type mismatch',
    );
    invalid(
      oneFunction({ params: [i32], results: [i64] }, [0x20, ...leb(2_000_002)], { locals }),
      'unknown local 2000002',
    );
    const tooMany = [
      { count: 0xffffffff, type: i32 },
      { count: 1, type: i32 },
    ];
    malformed(oneFunction(void0, [], { locals: tooMany }).module, 'too many locals');
  });

  it('types unreachable code with the polymorphic stack', () => {
    // unreachable; i32.add  -> result i32
    valid(oneFunction(toI32, [0x00, 0x6a]));
    // unreachable; i64.const 0; i32.add -> the i64 is concrete
    invalid(oneFunction(toI32, [0x00, 0x42, 0, 0x6a]), 'type mismatch');
    // unreachable; br_if 0 makes its label types concrete: i64.extend_i32_u then fails
    invalid(oneFunction({ params: [], results: [i64] }, [0x00, 0x0d, 0, 0xad]), 'type mismatch');
    // select on unknown operands, then a concrete use
    valid(oneFunction({ params: [], results: [f64] }, [0x00, 0x1b]));
  });

  it('checks block, loop and if types, including multi-value type indices', () => {
    const types = [toI32, { params: [i32, i32], results: [i32] }];
    // i32.const 1 i32.const 2 block (type 1) i32.add end
    valid(build({ types, funcs: [{ type: 0, body: [0x41, 1, 0x41, 2, 0x02, 1, 0x6a, 0x0b] }] }));
    invalid(
      build({ types, funcs: [{ type: 0, body: [0x41, 1, 0x02, 1, 0x6a, 0x0b] }] }),
      'type mismatch',
    );
    invalid(build({ types, funcs: [{ type: 0, body: [0x02, 9, 0x0b] }] }), 'unknown type');
    // if (result i32) without else is a type mismatch
    invalid(oneFunction(toI32, [0x41, 0, 0x04, 0x7f, 0x41, 1, 0x0b]), 'type mismatch');
    valid(oneFunction(toI32, [0x41, 0, 0x04, 0x7f, 0x41, 1, 0x05, 0x41, 2, 0x0b]));
    // a loop label carries the loop's parameters: br 0 in loop (result i32) needs nothing
    valid(oneFunction(toI32, [0x03, 0x7f, 0x0c, 0, 0x0b]));
  });

  it('checks branch labels and br_table arities against every target', () => {
    invalid(oneFunction(void0, [0x0c, 1]), 'unknown label');
    // block (result i32) block  i32.const 0 i32.const 0 br_table 0 1  end end
    invalid(
      oneFunction(toI32, [0x02, 0x7f, 0x02, 0x40, 0x41, 0, 0x41, 0, 0x0e, 1, 0, 1, 0x0b, 0x0b]),
      'type mismatch',
    );
    valid(
      oneFunction(toI32, [0x02, 0x7f, 0x02, 0x7f, 0x41, 0, 0x41, 0, 0x0e, 1, 0, 1, 0x0b, 0x0b]),
    );
  });

  it('types select with and without a type annotation', () => {
    // select on two funcref values needs the typed form
    const refs = [0xd0, funcref, 0xd0, funcref, 0x41, 0];
    invalid(oneFunction(void0, [...refs, 0x1b, 0x1a]), 'type mismatch');
    valid(oneFunction(void0, [...refs, 0x1c, 1, funcref, 0x1a]));
    invalid(oneFunction(void0, [...refs, 0x1c, 2, funcref, funcref, 0x1a]), 'invalid result arity');
  });

  it('checks globals: existence and mutability', () => {
    const globals = [
      { type: { valType: i32, mutable: false }, init: [0x41, 0] },
      { type: { valType: i32, mutable: true }, init: [0x41, 0] },
    ];
    valid(oneFunction(void0, [0x41, 0, 0x24, 1], { globals }));
    invalid(oneFunction(void0, [0x41, 0, 0x24, 0], { globals }), 'global is immutable');
    invalid(oneFunction(void0, [0x23, 2, 0x1a], { globals }), 'unknown global 2');
  });

  it('checks calls and call_indirect', () => {
    invalid(oneFunction(void0, [0x10, 5]), 'unknown function 5');
    const tables = [{ elemType: funcref, limits: { min: 1, max: undefined } }];
    valid(oneFunction(void0, [0x41, 0, 0x11, 0, 0], { tables }));
    invalid(oneFunction(void0, [0x41, 0, 0x11, 0, 1], { tables }), 'unknown table');
    invalid(oneFunction(void0, [0x41, 0, 0x11, 4, 0], { tables }), 'unknown type');
    const externTable = [{ elemType: externref, limits: { min: 1, max: undefined } }];
    invalid(oneFunction(void0, [0x41, 0, 0x11, 0, 0], { tables: externTable }), 'type mismatch');
  });

  it('checks memory instructions: memory presence and alignment', () => {
    const memories = [{ limits: { min: 1, max: undefined } }];
    // i32.const 0 i32.load align=2 offset=0 drop
    valid(oneFunction(void0, [0x41, 0, 0x28, 2, 0, 0x1a], { memories }));
    invalid(
      oneFunction(void0, [0x41, 0, 0x28, 3, 0, 0x1a], { memories }),
      'alignment must not be larger than natural',
    );
    invalid(oneFunction(void0, [0x41, 0, 0x28, 2, 0, 0x1a]), 'unknown memory');
    // memory.size with a non-zero reserved byte is malformed
    malformed(oneFunction(void0, [0x3f, 1, 0x1a], { memories }).module, 'zero byte expected');
  });

  it('requires the data count section for memory.init and data.drop', () => {
    const memories = [{ limits: { min: 1, max: undefined } }];
    const datas = [{ mode: { kind: 'passive' as const } }];
    const init = [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 0, 0];
    valid(oneFunction(void0, init, { memories, datas, dataCount: 1 }));
    malformed(oneFunction(void0, init, { memories, datas }).module, 'data count section required');
    invalid(
      oneFunction(void0, [0xfc, 9, 1], { memories, datas, dataCount: 1 }),
      'unknown data segment 1',
    );
  });

  it('checks table instructions and element segment types', () => {
    const tables = [
      { elemType: funcref, limits: { min: 1, max: undefined } },
      { elemType: externref, limits: { min: 1, max: undefined } },
    ];
    const elems = [
      {
        type: funcref,
        mode: { kind: 'passive' as const },
        items: { kind: 'functions' as const, indices: [] },
      },
    ];
    const three = [0x41, 0, 0x41, 0, 0x41, 0];
    valid(oneFunction(void0, [...three, 0xfc, 12, 0, 0], { tables, elems }));
    invalid(oneFunction(void0, [...three, 0xfc, 12, 0, 1], { tables, elems }), 'type mismatch');
    invalid(
      oneFunction(void0, [...three, 0xfc, 12, 1, 0], { tables, elems }),
      'unknown elem segment 1',
    );
    invalid(oneFunction(void0, [...three, 0xfc, 14, 0, 1], { tables, elems }), 'type mismatch');
    // table.grow 1 takes [externref i32]
    valid(oneFunction(toI32, [0xd0, externref, 0x41, 1, 0xfc, 15, 1], { tables }));
    invalid(oneFunction(toI32, [0xd0, funcref, 0x41, 1, 0xfc, 15, 1], { tables }), 'type mismatch');
    invalid(oneFunction(toI32, [0xfc, 16, 2], { tables }), 'unknown table 2');
  });

  it('allows ref.func only for functions declared outside bodies (C.refs)', () => {
    const body = [0xd2, 0, 0x1a];
    invalid(oneFunction(void0, body), 'undeclared function reference');
    valid(oneFunction(void0, body, { exports: [{ name: 'f', kind: 'function', index: 0 }] }));
    valid(
      oneFunction(void0, body, {
        elems: [
          {
            type: funcref,
            mode: { kind: 'declarative' },
            items: { kind: 'functions', indices: [0] },
          },
        ],
      }),
    );
    valid(
      oneFunction(void0, body, {
        globals: [{ type: { valType: funcref, mutable: false }, init: [0xd2, 0] }],
      }),
    );
    invalid(oneFunction(void0, [0xd2, 7, 0x1a]), 'unknown function 7');
  });

  it('checks SIMD lane indices, shuffle lanes and v128 memory alignment', () => {
    const v128const = [0xfd, 0x0c, ...new Array(16).fill(0)];
    // i32x4.extract_lane 3 / 4
    valid(oneFunction(toI32, [...v128const, 0xfd, 0x1b, 3]));
    invalid(oneFunction(toI32, [...v128const, 0xfd, 0x1b, 4]), 'invalid lane index');
    // i8x16.shuffle with lane 31 / 32
    const shuffle = (lane: number) => [
      ...v128const,
      ...v128const,
      0xfd,
      0x0d,
      ...new Array(15).fill(0),
      lane,
      0x1a,
    ];
    valid(oneFunction(void0, shuffle(31)));
    invalid(oneFunction(void0, shuffle(32)), 'invalid lane index');
    const memories = [{ limits: { min: 1, max: undefined } }];
    // v128.load align=4 ok, 5 too large; sub-opcodes are LEB128 (0x80 0x01 = 128 = i16x8.abs)
    valid(oneFunction(void0, [0x41, 0, 0xfd, 0, 4, 0, 0x1a], { memories }));
    invalid(
      oneFunction(void0, [0x41, 0, 0xfd, 0, 5, 0, 0x1a], { memories }),
      'alignment must not be larger than natural',
    );
    valid(oneFunction({ params: [v128], results: [v128] }, [0x20, 0, 0xfd, ...leb(0x80)]));
    malformed(oneFunction(void0, [0xfd, ...leb(0x9a)]).module, 'illegal opcode');
  });

  it('rejects malformed bodies: illegal opcodes and a missing end', () => {
    malformed(oneFunction(void0, [0xc5]).module, 'illegal opcode');
    // a block without its end: the next bytes (here a global's initializer) are not `end`
    const globals = [{ type: { valType: i32, mutable: false }, init: [0x41, 0] }];
    malformed(oneFunction(void0, [0x02, 0x40], { globals }).module, 'END opcode expected');
    // at the end of the module the bytes run out
    malformed(oneFunction(void0, [0x02, 0x40]).module, 'unexpected end');
    // a body both invalid (i32.add on nothing) and malformed later is reported as malformed
    const both = oneFunction(void0, [0x6a, 0xc5]);
    malformed(both.module, 'illegal opcode');
    assert.throws(
      () => validateModule(both.module),
      new RegExp(
        `^DecodeError: illegal opcode.* \\(function 0, at byte 0x${(both.bodyStarts[0] + 1).toString(16)}\\)$`,
      ),
    );
  });

  it('validates every type of every numeric opcode family', () => {
    const cases: [number[], number, ValType[]][] = [
      [[0x42, 0, 0x42, 0], 0x51, [i32]], // i64.eq
      [[0x43, 0, 0, 0, 0], 0xa8, [i32]], // i32.trunc_f32_s
      [[0x44, 0, 0, 0, 0, 0, 0, 0, 0], 0xbd, [i64]], // i64.reinterpret_f64
      [[0x42, 0], 0xc4, [i64]], // i64.extend32_s
    ];
    for (const [operands, op, results] of cases) {
      valid(oneFunction({ params: [], results }, [...operands, op]));
      invalid(oneFunction({ params: [], results }, [0x41, 0, op]), 'type mismatch');
    }
    // i64.trunc_sat_f64_u
    valid(oneFunction({ params: [f64], results: [i64] }, [0x20, 0, 0xfc, 7]));
  });
});

describe('validator: module', () => {
  it('checks memory limits and the single memory', () => {
    valid(build({ memories: [{ limits: { min: 1, max: 65536 } }] }));
    invalid(
      build({ memories: [{ limits: { min: 65537, max: undefined } }] }),
      'memory size must be at most 65536 pages (4GiB)',
    );
    invalid(
      build({ memories: [{ limits: { min: 2, max: 1 } }] }),
      'size minimum must not be greater than maximum',
    );
    invalid(
      build({ tables: [{ elemType: funcref, limits: { min: 2, max: 1 } }] }),
      'size minimum must not be greater than maximum',
    );
    invalid(
      build({
        imports: [
          {
            module: 'm',
            name: 'mem',
            desc: { kind: 'memory', type: { limits: { min: 0, max: undefined } } },
          },
        ],
        memories: [{ limits: { min: 0, max: undefined } }],
      }),
      'multiple memories',
    );
  });

  it('checks constant expressions', () => {
    const imports = [
      {
        module: 'm',
        name: 'c',
        desc: { kind: 'global' as const, type: { valType: i32, mutable: false } },
      },
      {
        module: 'm',
        name: 'v',
        desc: { kind: 'global' as const, type: { valType: i32, mutable: true } },
      },
    ];
    const g = (init: number[], valType: ValType = i32) =>
      build({ imports, globals: [{ type: { valType, mutable: false }, init }] });
    valid(g([0x23, 0]));
    valid(g([0x44, 0, 0, 0, 0, 0, 0, 0, 0], f64));
    invalid(g([0x23, 1]), 'constant expression required');
    invalid(g([0x41, 0, 0x41, 0, 0x6a]), 'constant expression required');
    invalid(g([0x42, 0]), 'type mismatch');
    invalid(g([]), 'type mismatch');
    invalid(g([0x41, 0, 0x41, 0]), 'type mismatch');
    // only imported globals are visible: global 2 is the module's own
    invalid(
      build({
        imports,
        globals: [
          { type: { valType: i32, mutable: false }, init: [0x41, 0] },
          { type: { valType: i32, mutable: false }, init: [0x23, 2] },
        ],
      }),
      'unknown global 2',
    );
    // data segment offsets are i32 constants
    invalid(
      build({
        memories: [{ limits: { min: 1, max: undefined } }],
        datas: [{ mode: { kind: 'active', memory: 0, offset: [0x42, 0] } }],
      }),
      'type mismatch',
    );
    invalid(
      build({ datas: [{ mode: { kind: 'active', memory: 0, offset: [0x41, 0] } }] }),
      'unknown memory 0',
    );
  });

  it('checks element segments', () => {
    const tables = [{ elemType: funcref, limits: { min: 1, max: undefined } }];
    invalid(
      build({
        tables,
        elems: [
          {
            type: funcref,
            mode: { kind: 'active', table: 1, offset: [0x41, 0] },
            items: { kind: 'functions', indices: [] },
          },
        ],
      }),
      'unknown table 1',
    );
    invalid(
      build({
        tables,
        elems: [
          {
            type: externref,
            mode: { kind: 'active', table: 0, offset: [0x41, 0] },
            items: { kind: 'exprs', exprs: [] },
          },
        ],
      }),
      'type mismatch',
    );
    invalid(
      build({
        elems: [
          { type: funcref, mode: { kind: 'passive' }, items: { kind: 'functions', indices: [3] } },
        ],
      }),
      'unknown function 3',
    );
    invalid(
      build({
        elems: [
          {
            type: externref,
            mode: { kind: 'passive' },
            items: { kind: 'exprs', exprs: [[0xd0, funcref]] },
          },
        ],
      }),
      'type mismatch',
    );
  });

  it('checks the start function and exports', () => {
    valid(oneFunction(void0, [], { start: 0 }));
    invalid(oneFunction(toI32, [0x41, 0], { start: 0 }), 'start function');
    invalid(oneFunction(void0, [], { start: 1 }), 'unknown function 1');
    invalid(
      oneFunction(void0, [], {
        exports: [
          { name: 'a', kind: 'function', index: 0 },
          { name: 'a', kind: 'function', index: 0 },
        ],
      }),
      'duplicate export name',
    );
    invalid(
      oneFunction(void0, [], { exports: [{ name: 'g', kind: 'global', index: 0 }] }),
      'unknown global 0',
    );
    invalid(
      oneFunction(void0, [], { exports: [{ name: 'm', kind: 'memory', index: 0 }] }),
      'unknown memory 0',
    );
  });

  it('checks function type indices', () => {
    invalid(build({ types: [void0], funcs: [{ type: 1, body: [] }] }), 'unknown type');
  });
});
