// The hand-assembled Request/Response frames: they decode with the generated envelope codecs,
// small payloads travel in one buffer and large ones as a second, uncopied buffer, and decoded
// payloads are views.
import { strict as assert } from 'assert';
import * as ttrpc from '../../../proto/gen/ttrpc';
import { decodeRequest, envelopeLength, requestFrame, responseFrame } from '../envelope';

function whole(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

describe('ttrpc envelopes', () => {
  it('writes a Request frame the generated codec reads back', () => {
    const payload = Buffer.from('payload bytes');
    const parts = requestFrame(
      7,
      {
        service: 'containerd.task.v2.Task',
        method: 'Wait',
        timeoutNano: 5_000_000_000n,
        metadata: [{ key: 'k', value: 'v' }],
      },
      payload,
    );
    assert.equal(parts.length, 1);
    const frame = whole(parts);
    assert.equal(frame.readUInt32BE(0), frame.length - 10);
    assert.equal(frame.readUInt32BE(4), 7);
    assert.equal(frame[8], 1);
    assert.equal(frame[9], 0);
    assert.equal(envelopeLength(parts), frame.length - 10);
    const request = ttrpc.Request.decode(frame.subarray(10));
    assert.equal(request.service, 'containerd.task.v2.Task');
    assert.equal(request.method, 'Wait');
    assert.equal(request.timeoutNano, 5_000_000_000n);
    assert.deepEqual(request.metadata, [{ key: 'k', value: 'v' }]);
    assert.equal(Buffer.from(request.payload).toString(), 'payload bytes');
  });

  it('writes OK responses with an empty status, as Go does, and errors with code and message', () => {
    const ok = whole(responseFrame(3, 0, '', Buffer.from('r')));
    assert.equal(ok[8], 2);
    // 0a 00: status, empty; 12 01 72: payload "r"
    assert.equal(ok.subarray(10).toString('hex'), '0a00' + '120172');
    const failed = ttrpc.Response.decode(
      whole(responseFrame(3, 5, 'not found', new Uint8Array(0))).subarray(10),
    );
    assert.deepEqual(failed.status, { code: 5, message: 'not found', details: [] });
    assert.equal(failed.payload.length, 0);
  });

  it('sends a large payload as its own buffer, and decodes it as a view', () => {
    const payload = Buffer.alloc(100_000, 7);
    const parts = requestFrame(
      1,
      { service: 's', method: 'm', timeoutNano: 0n, metadata: [] },
      payload,
    );
    assert.equal(parts.length, 2);
    assert.equal(parts[1], payload);
    const envelope = whole(parts).subarray(10);
    const request = decodeRequest(envelope);
    assert.equal(request.payload.length, 100_000);
    assert.equal(request.payload.buffer, envelope.buffer);
  });
});
