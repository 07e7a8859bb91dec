// The error classes of the WebAssembly JS API, plus `Interrupted` (a stop request, not a trap)
// and the conversion of V8 errors raised inside generated code into traps.

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** Thrown when the interrupt flag asks running code to stop. Deliberately not a RuntimeError. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Maps an exception that escaped generated code to what Wasm semantics say it is: V8's stack
 * overflow becomes "call stack exhausted", a DataView bounds failure becomes "out of bounds
 * memory access" (memory accesses rely on DataView's own bounds check). Others pass through.
 */
export function toTrap(e: unknown, backtrace: (stack: string | undefined) => string): unknown {
  if (e instanceof RangeError) {
    let reason: string | undefined;
    if (e.message.startsWith('Maximum call stack size exceeded')) reason = 'call stack exhausted';
    else if (e.message.includes('outside the bounds of the DataView'))
      reason = 'out of bounds memory access';
    if (reason !== undefined) {
      const trace = backtrace(e.stack);
      const err = new RuntimeError(trace ? `${reason}\n${trace}` : reason);
      if (trace) err.stack = `RuntimeError: ${reason}\n${trace}`;
      return err;
    }
  }
  return e;
}
