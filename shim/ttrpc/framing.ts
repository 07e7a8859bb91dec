// ttrpc framing: every message is a 10-byte header (uint32 BE payload length | uint32 BE stream
// id | uint8 type | uint8 flags) then the payload. FrameDecoder turns a byte stream cut into
// arbitrary chunks back into frames, without copying payloads that arrive whole.

export const HEADER_LENGTH = 10;
/** The largest payload ttrpc accepts (containerd/ttrpc messageLengthMax). */
export const MAX_PAYLOAD = 4 << 20;

/** Frame types. */
export const enum FrameType {
  Request = 1,
  Response = 2,
  Data = 3,
}

/** Frame flags (streams only; unary calls send 0). */
export const enum FrameFlag {
  RemoteClosed = 1,
  RemoteOpen = 2,
  NoData = 4,
}

/** The header of a frame about to be written. */
export function encodeHeader(
  length: number,
  streamId: number,
  type: number,
  flags: number,
): Buffer {
  const header = Buffer.allocUnsafe(HEADER_LENGTH);
  header.writeUInt32BE(length, 0);
  header.writeUInt32BE(streamId, 4);
  header[8] = type;
  header[9] = flags;
  return header;
}

export interface FrameHandler {
  /** A whole frame. `payload` may be a view into a received chunk: do not write into it. */
  frame(streamId: number, type: number, flags: number, payload: Buffer): void;
  /** A frame whose length exceeds MAX_PAYLOAD; its payload is skipped as it arrives. */
  oversized(streamId: number, type: number, length: number): void;
}

/** Reassembles frames from stream chunks. One per connection. */
export class FrameDecoder {
  private readonly header = Buffer.alloc(HEADER_LENGTH);
  private headerFill = 0;
  /** the payload being assembled across chunks, once its header is known */
  private body: Buffer | undefined;
  private bodyFill = 0;
  private streamId = 0;
  private type = 0;
  private flags = 0;
  /** bytes of an oversized payload still to skip */
  private discard = 0;

  constructor(private readonly handler: FrameHandler) {}

  /** Feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      if (this.discard > 0) {
        const skip = Math.min(this.discard, end - offset);
        this.discard -= skip;
        offset += skip;
        continue;
      }
      if (this.body !== undefined) {
        const take = Math.min(this.body.length - this.bodyFill, end - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) {
          const body = this.body;
          this.body = undefined;
          this.handler.frame(this.streamId, this.type, this.flags, body);
        }
        continue;
      }
      // a header: read in place when the chunk holds all of it, else gather it
      let length: number;
      if (this.headerFill === 0 && end - offset >= HEADER_LENGTH) {
        length = chunk.readUInt32BE(offset);
        this.streamId = chunk.readUInt32BE(offset + 4);
        this.type = chunk[offset + 8];
        this.flags = chunk[offset + 9];
        offset += HEADER_LENGTH;
      } else {
        const take = Math.min(HEADER_LENGTH - this.headerFill, end - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < HEADER_LENGTH) return;
        this.headerFill = 0;
        length = this.header.readUInt32BE(0);
        this.streamId = this.header.readUInt32BE(4);
        this.type = this.header[8];
        this.flags = this.header[9];
      }
      if (length > MAX_PAYLOAD) {
        this.discard = length;
        this.handler.oversized(this.streamId, this.type, length);
      } else if (end - offset >= length) {
        // the common case: the whole payload is in this chunk; hand out a view
        const payload = chunk.subarray(offset, offset + length);
        offset += length;
        this.handler.frame(this.streamId, this.type, this.flags, payload);
      } else {
        this.body = Buffer.allocUnsafe(length);
        this.bodyFill = 0;
      }
    }
  }

  /** Bytes of a partial frame held (0 between frames). */
  get pending(): number {
    return this.headerFill + (this.body ? this.bodyFill : 0);
  }
}
