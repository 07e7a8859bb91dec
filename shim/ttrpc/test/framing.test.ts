// FrameDecoder: frames cut anywhere across chunks, several per chunk, empty and oversized
// payloads, and the header encoding.
import { strict as assert } from 'assert';
import { encodeHeader, FrameDecoder, HEADER_LENGTH, MAX_PAYLOAD } from '../framing';

interface Seen {
  kind: 'frame' | 'oversized';
  streamId: number;
  type: number;
  flags?: number;
  payload?: string;
  length?: number;
}

function decoderWithLog(): { decoder: FrameDecoder; seen: Seen[] } {
  const seen: Seen[] = [];
  const decoder = new FrameDecoder({
    frame: (streamId, type, flags, payload) =>
      seen.push({ kind: 'frame', streamId, type, flags, payload: payload.toString('latin1') }),
    oversized: (streamId, type, length) => seen.push({ kind: 'oversized', streamId, type, length }),
  });
  return { decoder, seen };
}

function frame(streamId: number, type: number, payload: string, flags = 0): Buffer {
  const body = Buffer.from(payload, 'latin1');
  return Buffer.concat([encodeHeader(body.length, streamId, type, flags), body]);
}

describe('ttrpc framing', () => {
  it('encodes the 10-byte header big-endian: length, stream id, type, flags', () => {
    assert.deepEqual(
      [...encodeHeader(0x01020304, 0x0a0b0c0d, 2, 5)],
      [1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 2, 5],
    );
    assert.equal(HEADER_LENGTH, 10);
    assert.equal(MAX_PAYLOAD, 4194304);
  });

  it('decodes several frames from one chunk', () => {
    const { decoder, seen } = decoderWithLog();
    decoder.push(Buffer.concat([frame(1, 1, 'abc'), frame(3, 1, ''), frame(5, 2, 'xyz', 4)]));
    assert.deepEqual(seen, [
      { kind: 'frame', streamId: 1, type: 1, flags: 0, payload: 'abc' },
      { kind: 'frame', streamId: 3, type: 1, flags: 0, payload: '' },
      { kind: 'frame', streamId: 5, type: 2, flags: 4, payload: 'xyz' },
    ]);
    assert.equal(decoder.pending, 0);
  });

  it('reassembles frames fed one byte at a time', () => {
    const { decoder, seen } = decoderWithLog();
    const bytes = Buffer.concat([frame(7, 1, 'hello world'), frame(9, 3, 'x')]);
    for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
    assert.deepEqual(
      seen.map((s) => [s.streamId, s.payload]),
      [
        [7, 'hello world'],
        [9, 'x'],
      ],
    );
  });

  it('reassembles frames split at every possible point', () => {
    const bytes = Buffer.concat([frame(1, 1, 'first'), frame(3, 1, 'second!'), frame(5, 1, '')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (let cut2 = cut; cut2 <= bytes.length; cut2 += 3) {
        const { decoder, seen } = decoderWithLog();
        decoder.push(bytes.subarray(0, cut));
        decoder.push(bytes.subarray(cut, cut2));
        decoder.push(bytes.subarray(cut2));
        assert.deepEqual(
          seen.map((s) => s.payload),
          ['first', 'second!', ''],
          `cut at ${cut}, ${cut2}`,
        );
      }
    }
  });

  it('hands out whole payloads as views, without copying', () => {
    let payload: Buffer | undefined;
    const decoder = new FrameDecoder({
      frame: (_s, _t, _f, p) => (payload = p),
      oversized: () => assert.fail('not oversized'),
    });
    const chunk = frame(1, 1, 'view me');
    decoder.push(chunk);
    assert.ok(payload);
    assert.equal(payload.buffer, chunk.buffer);
  });

  it('reports an oversized frame once and skips its payload across chunks', () => {
    const { decoder, seen } = decoderWithLog();
    const length = MAX_PAYLOAD + 1;
    decoder.push(encodeHeader(length, 11, 1, 0));
    // the payload arrives in pieces, followed by a normal frame in the same last chunk
    const piece = Buffer.alloc(1 << 20, 0x61);
    let left = length;
    while (left > piece.length) {
      decoder.push(piece);
      left -= piece.length;
    }
    decoder.push(Buffer.concat([piece.subarray(0, left), frame(13, 1, 'after')]));
    assert.deepEqual(seen, [
      { kind: 'oversized', streamId: 11, type: 1, length },
      { kind: 'frame', streamId: 13, type: 1, flags: 0, payload: 'after' },
    ]);
  });

  it('accepts a payload of exactly the maximum size', () => {
    const { decoder, seen } = decoderWithLog();
    const body = Buffer.alloc(MAX_PAYLOAD, 0x62);
    decoder.push(encodeHeader(MAX_PAYLOAD, 1, 1, 0));
    decoder.push(body.subarray(0, 1000));
    decoder.push(body.subarray(1000));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].kind, 'frame');
    assert.equal(seen[0].payload?.length, MAX_PAYLOAD);
  });

  it('holds a partial frame until the rest arrives', () => {
    const { decoder, seen } = decoderWithLog();
    const bytes = frame(1, 1, 'abcdef');
    decoder.push(bytes.subarray(0, 12));
    assert.equal(seen.length, 0);
    assert.equal(decoder.pending, 2);
    decoder.push(bytes.subarray(12));
    assert.equal(seen.length, 1);
    assert.equal(decoder.pending, 0);
  });
});
