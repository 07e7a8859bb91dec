// The CallContext a handler gets, shared by the ttrpc and gRPC servers. Its AbortSignal is
// only made when the handler reads it: most never do, and making one costs more than the rest
// of a small call.
import type { CallContext } from './registry';
import type { RpcError } from './status';

/** A call being answered: its context, its deadline timer, and why it was aborted. */
export class ActiveCall implements CallContext {
  timer: NodeJS.Timeout | undefined;
  private controller: AbortController | undefined;
  private reason: RpcError | undefined;

  constructor(
    readonly service: string,
    readonly method: string,
    readonly metadata: Map<string, string[]>,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Why the call was aborted (deadline, hang-up), if it was. */
  get abortReason(): RpcError | undefined {
    return this.reason;
  }

  abort(reason: RpcError): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
