// Publishes task events to containerd: a ttrpc client to TTRPC_ADDRESS calling
// containerd.services.events.ttrpc.v1.Events/Forward with an Envelope per event. Events are
// queued and sent one at a time, in order; a failed send reconnects and retries a bounded
// number of times. Callers are never blocked or thrown at: events are fire-and-forget.
import { ForwardRequest } from '../../proto/gen/containerd.services.events.ttrpc.v1';
import { Timestamp } from '../../proto/gen/google.protobuf';
import { TtrpcClient } from '../ttrpc/client';

export const EVENTS_SERVICE = 'containerd.services.events.ttrpc.v1.Events';
export const FORWARD_METHOD = 'Forward';

export interface EventPublisherOptions {
  /** Sends of one event before it is dropped (default 5). */
  maxAttempts?: number;
  /** Time allowed for one Forward call (default 5 s). */
  callTimeoutMs?: number;
  /** Wait before the first retry; doubles after each failure, up to 2 s (default 100 ms). */
  retryDelayMs?: number;
  /** Events held while containerd is unreachable; beyond this new events are dropped (default 10000). */
  maxQueue?: number;
  /** Told about failed sends and dropped events (default: ignore). */
  onError?: (err: Error) => void;
}

interface QueuedEvent {
  topic: string;
  typeName: string;
  event: Uint8Array;
  /** when publish() was called: the event's time, whenever it is sent */
  timestamp: Timestamp;
}

export class EventPublisher {
  private readonly queue: QueuedEvent[] = [];
  private client: TtrpcClient | undefined;
  private draining: Promise<void> | undefined;
  private closing = false;
  /** wakes a retry wait early when close() gives up */
  private cancelWait: (() => void) | undefined;
  private readonly maxAttempts: number;
  private readonly callTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxQueue: number;
  private readonly onError: (err: Error) => void;

  /**
   * `ttrpcAddress`: containerd's ttrpc socket (TTRPC_ADDRESS, `/path` or `unix:///path`); an
   * empty address publishes nowhere (running outside containerd). `namespace`: the
   * containerd namespace every envelope carries.
   */
  constructor(
    readonly ttrpcAddress: string,
    readonly namespace: string,
    options: EventPublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxQueue = options.maxQueue ?? 10_000;
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Queues an event. `topic`: e.g. `/tasks/exit`; `typeName`: the message's full name, e.g.
   * `containerd.events.TaskExit` (sent as the Any's type_url as is, with no
   * `type.googleapis.com/` prefix, which containerd 1.6 rejects); `event`: the encoded message.
   */
  publish(topic: string, typeName: string, event: Uint8Array): void {
    if (this.closing || this.ttrpcAddress === '') return;
    if (this.queue.length >= this.maxQueue) {
      this.report(new Error(`events: queue full, dropped ${topic} event`));
      return;
    }
    const ms = Date.now();
    const seconds = Math.floor(ms / 1000);
    const timestamp = { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1e6 };
    this.queue.push({ topic, typeName, event, timestamp });
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  /** Events queued and not yet delivered (including one being sent). */
  get pending(): number {
    return this.queue.length;
  }

  /** Sends what is queued, waiting at most `timeoutMs`; later publishes are ignored. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    if (this.draining) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.draining, timedOut]);
      clearTimeout(timer);
    }
    if (this.queue.length > 0) {
      this.report(new Error(`events: closed with ${this.queue.length} event(s) undelivered`));
      this.queue.length = 0;
      this.cancelWait?.();
    }
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const next = this.queue[0];
      const delivered = await this.deliver(next);
      // close() may have emptied the queue meanwhile
      if (this.queue[0] === next) this.queue.shift();
      if (!delivered && !this.closing)
        this.report(new Error(`events: dropped ${next.topic} event`));
    }
  }

  private async deliver(event: QueuedEvent): Promise<boolean> {
    const request = ForwardRequest.encode({
      envelope: {
        timestamp: event.timestamp,
        namespace: this.namespace,
        topic: event.topic,
        event: { typeUrl: event.typeName, value: event.event },
      },
    });
    let delay = this.retryDelayMs;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        const client = await this.connected();
        await client.call(EVENTS_SERVICE, FORWARD_METHOD, request, {
          timeoutMs: this.callTimeoutMs,
        });
        return true;
      } catch (err) {
        this.report(
          new Error(
            `events: publishing ${event.topic} (attempt ${attempt} of ${this.maxAttempts}): ${
              (err as Error).message
            }`,
          ),
        );
        // start over on a fresh connection: the old one may be half dead
        const client = this.client;
        this.client = undefined;
        void client?.close();
        if (attempt === this.maxAttempts || this.queue[0] !== event) return false;
        await this.wait(delay);
        if (this.queue[0] !== event) return false;
        delay = Math.min(delay * 2, 2000);
      }
    }
    return false;
  }

  private async connected(): Promise<TtrpcClient> {
    if (this.client && !this.client.closed) return this.client;
    this.client = await TtrpcClient.connect(this.ttrpcAddress, { timeoutMs: this.callTimeoutMs });
    return this.client;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.cancelWait = done;
    });
  }

  private report(err: Error): void {
    try {
      this.onError(err);
    } catch {
      // a failing logger must not break publishing
    }
  }
}
