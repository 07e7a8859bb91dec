// Generates a large Wasm module for the start-up benchmark: tens of thousands of functions,
// over 10 MB of code, where only a few functions run. It measures what a big real program
// costs before its first instruction (decode, validate, compile, instantiate) and how much
// compiling lazily on first call saves.
//
// Function i (i32) -> i32 is a straight run of arithmetic on its parameter and a local
// (ROUNDS rounds of add/xor/mul/rotl); `main` calls every CALL_STRIDE-th function and sums.

const FUNCTIONS = 32_000;
const ROUNDS = 13;
const CALL_STRIDE = 500;

class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buffer = new Uint8Array(capacity);
  }

  byte(b: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = b;
  }
  bytes(bs: ArrayLike<number>): void {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
  }
  /** Appends a whole array at once (section bodies). */
  append(bs: Uint8Array): void {
    if (this.length + bs.length > this.buffer.length) {
      const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bs.length));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    this.buffer.set(bs, this.length);
    this.length += bs.length;
  }
  uleb(n: number): void {
    do {
      const b = n & 0x7f;
      n >>>= 7;
      this.byte(n === 0 ? b : b | 0x80);
    } while (n !== 0);
  }
  sleb(n: number): void {
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }
  /** A section: id, then the size of what `fill` writes, then those bytes. */
  section(id: number, fill: (w: ByteWriter) => void): void {
    const body = new ByteWriter();
    fill(body);
    this.byte(id);
    this.uleb(body.length);
    this.append(body.result());
  }
  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

const I32 = 0x7f;
const op = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  add: 0x6a,
  mul: 0x6c,
  xor: 0x73,
  rotl: 0x77,
  call: 0x10,
  end: 0x0b,
};

function functionBody(i: number): Uint8Array {
  const w = new ByteWriter();
  w.uleb(1); // one local group: one i32
  w.uleb(1);
  w.byte(I32);
  let seed = (i * 2654435761) >>> 0;
  for (let r = 0; r < ROUNDS; r++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    w.bytes([op.localGet, 0, op.i32Const]);
    w.sleb(seed | 0);
    w.bytes([op.add, op.localTee, 1, op.localGet, 0, op.xor, op.i32Const]);
    w.sleb(((seed >>> 8) | 1) & 0xfffff);
    w.bytes([op.mul, op.i32Const, (r % 31) + 1, op.rotl, op.localGet, 1, op.add, op.localSet, 0]);
  }
  w.bytes([op.localGet, 0, op.end]);
  return w.result();
}

function mainBody(): Uint8Array {
  const w = new ByteWriter();
  w.uleb(0);
  w.bytes([op.i32Const, 0]);
  for (let f = 0; f < FUNCTIONS; f += CALL_STRIDE) {
    w.bytes([op.localGet, 0, op.call]);
    w.uleb(f);
    w.byte(op.add);
  }
  w.byte(op.end);
  return w.result();
}

export interface LargeModule {
  bytes: Uint8Array;
  functions: number;
}

/** The module's bytes; it exports `main(x)`, which calls FUNCTIONS / CALL_STRIDE functions. */
export function largeModule(): LargeModule {
  const w = new ByteWriter();
  w.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  w.section(1, (s) => {
    s.uleb(1);
    s.bytes([0x60, 1, I32, 1, I32]);
  });
  w.section(3, (s) => {
    s.uleb(FUNCTIONS + 1);
    for (let i = 0; i <= FUNCTIONS; i++) s.uleb(0);
  });
  w.section(7, (s) => {
    s.uleb(1);
    s.bytes([4, ...Buffer.from('main'), 0x00]);
    s.uleb(FUNCTIONS);
  });
  w.section(10, (s) => {
    s.uleb(FUNCTIONS + 1);
    for (let i = 0; i <= FUNCTIONS; i++) {
      const body = i < FUNCTIONS ? functionBody(i) : mainBody();
      s.uleb(body.length);
      s.append(body);
    }
  });
  return { bytes: w.result().slice(), functions: FUNCTIONS + 1 };
}
