// Domain errors of the shim: each carries a category, and they become ttrpc/gRPC status codes
// in one place (toRpcError), at the RPC edge.
import { RpcError, StatusCode } from './ttrpc/status';

export type ErrorCategory =
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'InvalidArgument'
  | 'Unimplemented'
  | 'Internal';

export class ShimError extends Error {
  override name = 'ShimError';
  constructor(
    readonly category: ErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (message: string) => new ShimError('NotFound', message);
export const alreadyExists = (message: string) => new ShimError('AlreadyExists', message);
export const failedPrecondition = (message: string) => new ShimError('FailedPrecondition', message);
export const invalidArgument = (message: string) => new ShimError('InvalidArgument', message);
export const unimplemented = (message: string) => new ShimError('Unimplemented', message);

const codes: Record<ErrorCategory, StatusCode> = {
  NotFound: StatusCode.NotFound,
  AlreadyExists: StatusCode.AlreadyExists,
  FailedPrecondition: StatusCode.FailedPrecondition,
  InvalidArgument: StatusCode.InvalidArgument,
  Unimplemented: StatusCode.Unimplemented,
  Internal: StatusCode.Internal,
};

/** The status a handler's failure answers with; unknown errors are Internal with their message. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof ShimError) return new RpcError(codes[err.category], err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(StatusCode.Internal, message);
}
