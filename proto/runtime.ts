// What the generated message code (proto/gen/*.ts) needs at run time: protobufjs's minimal
// Reader and Writer, the codec shape every message exports, and 64-bit integers as BigInt.
// 64-bit fields decode to bigint (exact: cgroup limits reach 2^63) and encode from bigint or
// number, without protobufjs's optional Long dependency.
import { Reader, Writer } from 'protobufjs/minimal';

export { Reader, Writer };

/** Encode/decode functions for one message type; `Init` is the deep-partial input shape. */
export interface MessageType<T, Init = Partial<T>> {
  /** The fully qualified protobuf name, e.g. `containerd.events.TaskExit` (an Any's type_url). */
  readonly typeName: string;
  /** Encodes a message; fields left out take their proto3 defaults. */
  encode(message: Init): Uint8Array;
  /** Decodes a message; absent scalars and lists get their defaults, absent messages stay undefined. */
  decode(bytes: Uint8Array): T;
  /** Writes the message's fields (not a length prefix) to `writer`. */
  write(message: Init, writer: Writer): Writer;
  /** Reads fields from `reader` up to byte offset `end`. */
  read(reader: Reader, end: number): T;
}

/** One RPC of a service: its request and response message types. */
export interface MethodType<Req, ReqInit, Res, ResInit> {
  readonly name: string;
  readonly request: MessageType<Req, ReqInit>;
  readonly response: MessageType<Res, ResInit>;
}

const MASK_32 = 0xffffffffn;

/** Writes a 64-bit varint (uint64 or int64: both are two's complement on the wire). */
export function writeVarint64(writer: Writer, value: bigint | number): Writer {
  if (typeof value === 'number') return writer.uint64(value);
  const bits = BigInt.asUintN(64, value);
  // protobufjs takes any { low, high } pair as its LongBits
  const pair = { low: Number(bits & MASK_32), high: Number(bits >> 32n) };
  return writer.uint64(pair as unknown as number);
}

/** Reads a 64-bit varint as an unsigned bigint. */
export function readUint64(reader: Reader): bigint {
  const buf = reader.buf;
  let pos = reader.pos;
  // fast path: values below 2^28 fit in four bytes, read without BigInt arithmetic
  let small = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= reader.len) throw new RangeError('protobuf: varint runs past the end');
    const byte = buf[pos++];
    small |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      reader.pos = pos;
      return BigInt(small >>> 0);
    }
  }
  let value = BigInt(small >>> 0);
  for (let shift = 28n; shift < 70n; shift += 7n) {
    if (pos >= reader.len) throw new RangeError('protobuf: varint runs past the end');
    const byte = buf[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      reader.pos = pos;
      return BigInt.asUintN(64, value);
    }
  }
  throw new RangeError('protobuf: varint longer than 10 bytes');
}

/** Reads a 64-bit varint as a signed bigint. */
export function readInt64(reader: Reader): bigint {
  return BigInt.asIntN(64, readUint64(reader));
}

const EMPTY_BYTES = new Uint8Array(0);

/** The default of a `bytes` field; shared, so never write into it. */
export function emptyBytes(): Uint8Array {
  return EMPTY_BYTES;
}
