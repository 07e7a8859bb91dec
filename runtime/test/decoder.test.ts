// Decoder tests: a module with every section kind (built by wat2wasm from fixtures/) decodes
// into the expected model, and malformed binaries fail with the spec's wording.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeModule } from '../binary/decoder';
import { DecodeError } from '../binary/reader';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');

function fail(bytes: number[], message: string): void {
  assert.throws(
    () => decodeModule(Uint8Array.from(bytes)),
    (e: unknown) => e instanceof DecodeError && e.message.startsWith(message),
  );
}

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe('runtime decoder', () => {
  it('decodes every section of a 2.0 module', () => {
    const bytes = fs.readFileSync(path.join(fixtures, 'rt_sections.wasm'));
    const m = decodeModule(new Uint8Array(bytes));
    assert.deepEqual(m.types[0], { params: [0x7f, 0x7f], results: [0x7f] });
    assert.deepEqual(
      m.imports.map((i) => [i.module, i.name, i.desc.kind]),
      [
        ['env', 'log', 'function'],
        ['env', 'table', 'table'],
        ['env', 'g', 'global'],
      ],
    );
    assert.equal(m.funcs.length, 2);
    assert.equal(m.codes.length, 2);
    assert.deepEqual(m.codes[0].locals, [
      { count: 1, type: 0x7c },
      { count: 2, type: 0x7f },
    ]);
    assert.equal(bytes[m.codes[0].end - 1], 0x0b);
    assert.deepEqual(m.memories, [{ limits: { min: 1, max: 2 } }]);
    assert.deepEqual(m.tables, [{ elemType: 0x6f, limits: { min: 2, max: 10 } }]);
    assert.equal(m.globals[0].type.mutable, true);
    assert.deepEqual(
      m.exports.map((e) => [e.name, e.kind, e.index]),
      [
        ['mem', 'memory', 0],
        ['add', 'function', 1],
      ],
    );
    assert.equal(m.start, 2);
    assert.deepEqual(
      m.elems.map((e) => e.mode.kind),
      ['active', 'passive', 'declarative'],
    );
    assert.equal(m.elems[1].items.kind, 'exprs');
    assert.equal(Buffer.from(bytes.subarray(m.datas[0].start, m.datas[0].end)).toString(), 'hello');
    assert.deepEqual(m.datas[1].mode, { kind: 'passive' });
  });

  it('rejects a bad header', () => {
    fail([0x00, 0x61, 0x73], 'magic header not detected');
    fail([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0], 'magic header not detected');
    fail([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0], 'unknown binary version');
  });

  it('names the section, offset and reason of malformed content', () => {
    fail([...header, 0x0d, 0x00], 'malformed section id');
    fail([...header, 0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00], 'section size mismatch');
    fail([...header, 0x01, 0x02, 0x01, 0x60], 'unexpected end');
    fail(
      [...header, 0x03, 0x02, 0x01, 0x00],
      'function and code section have inconsistent lengths',
    );
    fail([...header, 0x02, 0x05, 0x01, 0x00, 0x00, 0x04, 0x00], 'malformed import kind');
    fail([...header, 0x06, 0x06, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b], 'malformed mutability');
    fail([...header, 0x0c, 0x01, 0x01], 'data count and data section have inconsistent lengths');
    fail([...header, 0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 'unexpected end');
    assert.throws(
      () =>
        decodeModule(Uint8Array.from([...header, 0x06, 0x06, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b])),
      /global section, at byte 0xc/,
    );
  });

  const name = [0x04, 0x6e, 0x61, 0x6d, 0x65];

  it('reads module, function and local names', () => {
    const moduleName = [0x00, 0x02, 0x01, 0x6d]; // "m"
    const funcNames = [0x01, 0x04, 0x01, 0x03, 0x01, 0x66]; // 3 -> "f"
    const localNames = [0x02, 0x06, 0x01, 0x03, 0x01, 0x00, 0x01, 0x78]; // 3: 0 -> "x"
    const payload = [...name, ...moduleName, ...funcNames, ...localNames];
    const m = decodeModule(Uint8Array.from([...header, 0x00, payload.length, ...payload]));
    assert.equal(m.names.module, 'm');
    assert.equal(m.names.functions.get(3), 'f');
    assert.equal(m.names.locals.get(3)?.get(0), 'x');
  });

  it('ignores a malformed name section', () => {
    const m = decodeModule(Uint8Array.from([...header, 0x00, 0x08, ...name, 0x01, 0x05, 0x01]));
    assert.equal(m.names.functions.size, 0);
  });

  /** A module of `bodies` functions of type () -> (), each body given as its raw bytes. */
  function withBodies(bodies: number[][]): number[] {
    const types = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
    const funcs = [0x03, bodies.length + 1, bodies.length, ...bodies.map(() => 0x00)];
    const code = [bodies.length, ...bodies.flatMap((b) => [b.length, ...b])];
    return [...header, ...types, ...funcs, 0x0a, code.length, ...code];
  }

  it('decodes local declarations; alike ones share one array', () => {
    const bodies = [
      [0x00, 0x0b], // no locals
      [0x01, 0x02, 0x7f, 0x0b], // 2 x i32
      [0x01, 0x02, 0x7f, 0x0b], // 2 x i32 again
      [0x01, 0x02, 0x7e, 0x0b], // 2 x i64
      [0x02, 0x01, 0x7f, 0x80, 0x20, 0x7c, 0x0b], // i32, 4096 x f64 (beyond interning)
      [0x03, 0x01, 0x7f, 0x01, 0x7e, 0x01, 0x7b, 0x0b], // three groups
    ];
    const bytes = Uint8Array.from(withBodies(bodies));
    const m = decodeModule(bytes);
    assert.deepEqual(Array.from(m.funcs), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(
      m.codes.map((c) => c.locals),
      [
        [],
        [{ count: 2, type: 0x7f }],
        [{ count: 2, type: 0x7f }],
        [{ count: 2, type: 0x7e }],
        [
          { count: 1, type: 0x7f },
          { count: 4096, type: 0x7c },
        ],
        [
          { count: 1, type: 0x7f },
          { count: 1, type: 0x7e },
          { count: 1, type: 0x7b },
        ],
      ],
    );
    assert.equal(m.codes[1].locals, m.codes[2].locals);
    assert.notEqual(m.codes[1].locals, m.codes[3].locals);
    for (const c of m.codes) {
      assert.equal(bytes[c.start], 0x0b);
      assert.equal(c.end, c.start + 1);
    }
    // a second module does not see the first one's arrays
    assert.notEqual(decodeModule(bytes).codes[1].locals, m.codes[1].locals);
  });

  it('reads type indices of any LEB128 length', () => {
    const types = [0x01, 0x07, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00];
    const funcs = [0x03, 0x05, 0x03, 0x01, 0x80, 0x00, 0x00]; // 1, 0 in two bytes, 0
    const code = [
      0x0a,
      0x0a,
      0x03,
      ...[0x02, 0x00, 0x0b],
      ...[0x02, 0x00, 0x0b],
      ...[0x02, 0x00, 0x0b],
    ];
    const m = decodeModule(Uint8Array.from([...header, ...types, ...funcs, ...code]));
    assert.deepEqual(Array.from(m.funcs), [1, 0, 0]);
    // an index cut off by the section's end
    fail([...header, ...types, 0x03, 0x02, 0x01, 0x80, 0x0a, 0x01, 0x00], 'unexpected end');
  });

  it('keeps reads of a body inside the body', () => {
    // the locals group count claims a group the body has no room for
    fail(
      withBodies([
        [0x01, 0x0b],
        [0x00, 0x0b],
      ]),
      'unexpected end',
    );
    // locals fill the body: no instructions left
    fail(withBodies([[0x01, 0x01, 0x7f]]), 'unexpected end of section or function');
    fail(withBodies([[0x01, 0x01, 0x40, 0x0b]]), 'malformed value type');
    fail(
      withBodies([[0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7f, 0x0b]]),
      'too many locals',
    );
  });
});
