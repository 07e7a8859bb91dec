// The ttrpc Request and Response envelopes (proto/ttrpc/request.proto) as whole frames. The
// payload field is written last, so a frame is a small head buffer plus the caller's payload
// bytes, sent without copying large payloads (protobuf accepts fields in any order).
import { Reader, Writer } from 'protobufjs/minimal';
import * as ttrpc from '../../proto/gen/ttrpc';
import { encodeHeader, FrameType, HEADER_LENGTH } from './framing';

/** Payloads up to this size are copied into the head buffer: one write beats a writev. */
const COPY_LIMIT = 8192;

/** A frame ready to write: one or two buffers. */
export type FrameParts = [Buffer] | [Buffer, Uint8Array];

function assemble(
  streamId: number,
  type: FrameType,
  head: Uint8Array,
  payloadTag: number,
  payload: Uint8Array,
): FrameParts {
  // the payload's tag and length varint go at the end of the head
  const tail =
    payload.length > 0 ? Writer.create().uint32(payloadTag).uint32(payload.length).finish() : null;
  const envelopeLength = head.length + (tail ? tail.length + payload.length : 0);
  const inline = payload.length <= COPY_LIMIT;
  const first = Buffer.allocUnsafe(
    HEADER_LENGTH + head.length + (tail ? tail.length : 0) + (inline ? payload.length : 0),
  );
  encodeHeader(envelopeLength, streamId, type, 0).copy(first, 0);
  let at = HEADER_LENGTH;
  first.set(head, at);
  at += head.length;
  if (tail) {
    first.set(tail, at);
    at += tail.length;
    if (inline) first.set(payload, at);
  }
  return inline || !tail ? [first] : [first, payload];
}

/** The length of the envelope (the frame's payload) in a FrameParts. */
export function envelopeLength(parts: FrameParts): number {
  return parts[0].length - HEADER_LENGTH + (parts.length === 2 ? parts[1].length : 0);
}

export interface RequestFields {
  service: string;
  method: string;
  /** nanoseconds; 0 for none */
  timeoutNano: bigint;
  metadata: ReadonlyArray<{ key: string; value: string }>;
}

/** A Request frame. */
export function requestFrame(
  streamId: number,
  fields: RequestFields,
  payload: Uint8Array,
): FrameParts {
  const w = Writer.create();
  ttrpc.Request.write(
    {
      service: fields.service,
      method: fields.method,
      timeoutNano: fields.timeoutNano,
      metadata: fields.metadata as ttrpc.KeyValueInit[],
    },
    w,
  );
  return assemble(streamId, FrameType.Request, w.finish(), (3 << 3) | 2, payload);
}

/** A Response frame: status code 0 with a payload, or an error status. */
export function responseFrame(
  streamId: number,
  code: number,
  message: string,
  payload: Uint8Array,
): FrameParts {
  const w = Writer.create();
  // an OK status is still sent, as an empty message, as Go's ttrpc does
  w.uint32((1 << 3) | 2).fork();
  if (code !== 0) w.uint32(1 << 3).int32(code);
  if (message) w.uint32((2 << 3) | 2).string(message);
  w.ldelim();
  return assemble(streamId, FrameType.Response, w.finish(), (2 << 3) | 2, payload);
}

/** Decodes a Request envelope; the payload is a view into `bytes`. */
export function decodeRequest(bytes: Buffer): ttrpc.Request {
  return ttrpc.Request.read(Reader.create(bytes), bytes.length);
}

/** Decodes a Response envelope; the payload is a view into `bytes`. */
export function decodeResponse(bytes: Buffer): ttrpc.Response {
  return ttrpc.Response.read(Reader.create(bytes), bytes.length);
}
