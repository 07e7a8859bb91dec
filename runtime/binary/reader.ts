// A cursor over Wasm binary bytes: fixed-width and LEB128 integers, floats as raw bits, names.
// Shared by the decoder, the validator and the code generator. Every read checks bounds and
// the spec's encoding rules and throws DecodeError with the spec's wording and the offset.

/** A malformed binary. `offset` is the absolute byte offset where decoding failed. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

// ignoreBOM: a leading U+FEFF is part of the name, not a byte-order mark to strip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class BinaryReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    /** Reads past this offset fail with "unexpected end". */
    public end = bytes.length,
  ) {
    this.pos = start;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, offset = this.pos): never {
    throw new DecodeError(message, offset);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++];
  }

  /** Little-endian fixed 32-bit word (the magic number and version). */
  u32Fixed(): number {
    if (this.pos + 4 > this.end) this.fail('unexpected end');
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Unsigned LEB128, at most 32 bits (5 bytes, unused bits of the last byte zero). */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      if (i === 4 && (byte & 0x70) !== 0) this.fail('integer too large', this.pos - 1);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed LEB128, at most 32 bits; the last byte's unused bits must extend the sign. */
  s32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      if (i === 4) {
        const rest = byte & 0x70;
        if (rest !== 0 && rest !== 0x70) this.fail('integer too large', this.pos - 1);
        if ((byte & 0x08) === 0 ? rest !== 0 : rest !== 0x70) {
          this.fail('integer too large', this.pos - 1);
        }
      }
      result |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (shift < 32 && (byte & 0x40) !== 0) result |= -1 << shift;
        return result | 0;
      }
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed 33-bit LEB128 (block types). Returns a JS number (safe: 33 bits). */
  s33(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      if (i === 4) {
        const rest = byte & 0x70;
        if ((byte & 0x10) === 0 ? rest !== 0 : rest !== 0x70) {
          this.fail('integer too large', this.pos - 1);
        }
      }
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) {
        if ((byte & 0x40) !== 0) result -= mul;
        return result;
      }
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed LEB128, at most 64 bits, as a BigInt (decode-time only, not a hot path). */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      if (i === 9) {
        const rest = byte & 0x7e;
        if ((byte & 0x01) === 0 ? rest !== 0 : rest !== 0x7e) {
          this.fail('integer too large', this.pos - 1);
        }
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return BigInt.asIntN(64, BigInt.asIntN(Number(shift), result));
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** An f32 as its raw IEEE bits (unsigned), so NaN payloads survive. */
  f32Bits(): number {
    return this.u32Fixed();
  }

  /** An f64 as its raw IEEE bits, low word then high word (unsigned). */
  f64Bits(): [low: number, high: number] {
    const low = this.u32Fixed();
    return [low, this.u32Fixed()];
  }

  bytesOf(length: number): Uint8Array {
    if (length > this.end - this.pos) this.fail('length out of bounds');
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A name: u32 length, then UTF-8 bytes (malformed UTF-8 is an error). */
  name(): string {
    const length = this.u32();
    const start = this.pos;
    const raw = this.bytesOf(length);
    try {
      return utf8.decode(raw);
    } catch {
      this.fail('malformed UTF-8 encoding', start);
    }
  }
}
