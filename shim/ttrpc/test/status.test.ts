// Status codes: the gRPC numbering, names, and how errors map to a status.
import { strict as assert } from 'assert';
import { RpcError, StatusCode, statusCodeName, statusOf } from '../status';

describe('ttrpc status codes', () => {
  it('numbers the codes as gRPC does', () => {
    const expected: [StatusCode, number][] = [
      [StatusCode.OK, 0],
      [StatusCode.Canceled, 1],
      [StatusCode.Unknown, 2],
      [StatusCode.InvalidArgument, 3],
      [StatusCode.DeadlineExceeded, 4],
      [StatusCode.NotFound, 5],
      [StatusCode.AlreadyExists, 6],
      [StatusCode.PermissionDenied, 7],
      [StatusCode.ResourceExhausted, 8],
      [StatusCode.FailedPrecondition, 9],
      [StatusCode.Aborted, 10],
      [StatusCode.OutOfRange, 11],
      [StatusCode.Unimplemented, 12],
      [StatusCode.Internal, 13],
      [StatusCode.Unavailable, 14],
      [StatusCode.DataLoss, 15],
      [StatusCode.Unauthenticated, 16],
    ];
    for (const [code, n] of expected) assert.equal(code, n, statusCodeName(code));
  });

  it('names codes, and unknown numbers', () => {
    assert.equal(statusCodeName(5), 'NotFound');
    assert.equal(statusCodeName(12), 'Unimplemented');
    assert.equal(statusCodeName(99), 'Code(99)');
  });

  it('keeps an RpcError code and message', () => {
    const err = new RpcError(StatusCode.NotFound, 'container abc: not found');
    assert.deepEqual(statusOf(err), { code: 5, message: 'container abc: not found' });
    assert.ok(err instanceof Error);
    assert.equal(String(err), 'rpc error: code = NotFound desc = container abc: not found');
  });

  it('answers Internal with the message for any other error', () => {
    assert.deepEqual(statusOf(new TypeError('boom')), { code: 13, message: 'boom' });
    assert.deepEqual(statusOf('plain string'), { code: 13, message: 'plain string' });
  });
});
