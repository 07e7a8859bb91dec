// How WASI host functions fail: a WasiError carries the errno to return; host (Node) errors
// are mapped to errno by their code; ProcExit is the private signal that unwinds the guest on
// proc_exit and is caught by WASI.start; a GuestTrap (e.g. a pointer out of bounds of memory)
// traps the guest, as wasmtime does (the witx rules say such calls "shall trap").
import { Errno, hostErrno, errnoName } from './spec';

/** Thrown inside an implementation to return `errno` to the guest. */
export class WasiError extends Error {
  constructor(readonly errno: number) {
    super(errnoName(errno));
  }
}

/** Thrown by proc_exit; never seen by guest code, caught by WASI.start. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
  }
}

/** Thrown to trap the guest: the engine unwinds it like any trap. */
export class GuestTrap extends Error {
  override readonly name = 'RuntimeError';
}

/** Shorthand: `throw fail(Errno.BADF)`. */
export function fail(errno: number): WasiError {
  return new WasiError(errno);
}

/**
 * The errno for an exception raised while serving a call, or undefined when it is not a
 * filesystem/guest-memory failure (a bug or an exit signal, which must propagate).
 */
export function errnoOf(error: unknown): number | undefined {
  if (error instanceof WasiError) return error.errno;
  if (error instanceof ProcExit || error instanceof GuestTrap) return undefined;
  if (error instanceof RangeError) return undefined; // a DataView access out of bounds: trap
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code === 'ERR_OUT_OF_RANGE') return Errno.INVAL; // an offset Node cannot take
    if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return Errno.ILSEQ; // path not UTF-8
    return hostErrno[code] ?? Errno.IO;
  }
  return undefined;
}
