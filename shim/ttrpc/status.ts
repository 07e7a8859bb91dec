// The gRPC status codes that ttrpc and gRPC answers carry, and RpcError, the one error type
// handlers throw to choose a code. Everything else a handler throws answers Internal.

/** gRPC status codes (google.golang.org/grpc/codes). */
export enum StatusCode {
  /** Not an error. */
  OK = 0,
  /** The operation was cancelled, typically by the caller. */
  Canceled = 1,
  /** An error with no better code. */
  Unknown = 2,
  /** The request is invalid regardless of system state. */
  InvalidArgument = 3,
  /** The deadline passed before the operation completed. */
  DeadlineExceeded = 4,
  /** A requested entity (container, process) does not exist. */
  NotFound = 5,
  /** The entity a client tried to create already exists. */
  AlreadyExists = 6,
  /** The caller may not do this. */
  PermissionDenied = 7,
  /** A resource (memory, message size, quota) ran out. */
  ResourceExhausted = 8,
  /** The system is not in the state the operation needs (e.g. starting a running task). */
  FailedPrecondition = 9,
  /** The operation was aborted, e.g. by a concurrency conflict. */
  Aborted = 10,
  /** A value was past the valid range. */
  OutOfRange = 11,
  /** The operation is not implemented or not supported. */
  Unimplemented = 12,
  /** An invariant broke: a bug, or an unexpected failure. */
  Internal = 13,
  /** The service is unavailable now (e.g. the connection is gone); retrying may help. */
  Unavailable = 14,
  /** Unrecoverable data loss or corruption. */
  DataLoss = 15,
  /** The caller has no valid credentials. */
  Unauthenticated = 16,
}

/** The name of a status code as gRPC prints it (`NotFound`), or `Code(n)` for unknown codes. */
export function statusCodeName(code: number): string {
  return StatusCode[code] ?? `Code(${code})`;
}

/** An RPC failure with a gRPC status code, thrown by handlers and raised by clients. */
export class RpcError extends Error {
  readonly code: StatusCode;

  constructor(code: StatusCode, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }

  /** `rpc error: code = NotFound desc = ...`, the way Go's status errors print. */
  override toString(): string {
    return `rpc error: code = ${statusCodeName(this.code)} desc = ${this.message}`;
  }
}

/** The status an error answers with: RpcError keeps its code, anything else is Internal. */
export function statusOf(err: unknown): { code: StatusCode; message: string } {
  if (err instanceof RpcError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: StatusCode.Internal, message: err.message };
  return { code: StatusCode.Internal, message: String(err) };
}
