// EventPublisher against a test ttrpc server that stands in for containerd's events service and
// decodes every ForwardRequest: envelopes, order, retries, reconnects, drops, close().
import { strict as assert } from 'assert';
import * as path from 'path';
import { ForwardRequest, TaskExit, TaskStart, timestampToMs } from '../../../proto';
import { TtrpcServer } from '../../ttrpc/server';
import { RpcError, StatusCode } from '../../ttrpc/status';
import { sleep, tempSocketDir } from '../../ttrpc/test/helpers';
import { EVENTS_SERVICE, EventPublisher, FORWARD_METHOD } from '../publisher';

/** A stand-in for containerd's ttrpc events service. */
class FakeContainerd {
  readonly received: ForwardRequest[] = [];
  /** calls to refuse before accepting */
  failNext = 0;
  private server: TtrpcServer | undefined;

  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    this.server = new TtrpcServer();
    this.server.register(EVENTS_SERVICE, FORWARD_METHOD, async (request) => {
      if (this.failNext > 0) {
        this.failNext--;
        throw new RpcError(StatusCode.Unavailable, 'events: busy');
      }
      this.received.push(ForwardRequest.decode(request));
      return new Uint8Array(0); // google.protobuf.Empty
    });
    await this.server.listen(this.socketPath);
  }

  async stop(): Promise<void> {
    await this.server?.close(0);
  }

  topics(): string[] {
    return this.received.map((r) => r.envelope?.topic ?? '?');
  }

  async waitFor(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.received.length} of ${count} events`);
      await sleep(5);
    }
  }
}

describe('EventPublisher', () => {
  let cleanup: () => void;
  let address: string;
  let containerd: FakeContainerd;
  const errors: string[] = [];
  const onError = (err: Error): number => errors.push(err.message);

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempSocketDir());
    address = path.join(dir, 'containerd.sock.ttrpc');
    containerd = new FakeContainerd(address);
    errors.length = 0;
  });

  afterEach(async () => {
    await containerd.stop();
    cleanup();
  });

  it('forwards an Envelope with namespace, topic, time and a bare type URL', async () => {
    await containerd.start();
    const publisher = new EventPublisher(`unix://${address}`, 'k8s.io', { onError });
    const before = Date.now();
    const exit = { containerId: 'c1', id: 'c1', pid: 1, exitStatus: 137, exitedAt: { seconds: 5 } };
    publisher.publish('/tasks/exit', TaskExit.typeName, TaskExit.encode(exit));
    await containerd.waitFor(1);
    const envelope = containerd.received[0].envelope;
    assert.ok(envelope);
    assert.equal(envelope.namespace, 'k8s.io');
    assert.equal(envelope.topic, '/tasks/exit');
    assert.equal(envelope.event?.typeUrl, 'containerd.events.TaskExit');
    const at = timestampToMs(envelope.timestamp);
    assert.ok(at >= before - 1000 && at <= Date.now(), `timestamp ${at}`);
    const decoded = TaskExit.decode(envelope.event?.value ?? new Uint8Array(0));
    assert.equal(decoded.containerId, 'c1');
    assert.equal(decoded.exitStatus, 137);
    assert.equal(decoded.exitedAt?.seconds, 5n);
    await publisher.close();
    assert.deepEqual(errors, []);
  });

  it('delivers events in the order they were published', async () => {
    await containerd.start();
    const publisher = new EventPublisher(address, 'default', { onError });
    const topics = Array.from({ length: 50 }, (_, i) => `/tasks/t${i}`);
    for (const t of topics) {
      publisher.publish(t, TaskStart.typeName, TaskStart.encode({ containerId: t, pid: 1 }));
    }
    await publisher.close();
    assert.deepEqual(containerd.topics(), topics);
  });

  it('retries a refused event and keeps the order', async () => {
    await containerd.start();
    containerd.failNext = 2;
    const publisher = new EventPublisher(address, 'default', { onError, retryDelayMs: 5 });
    publisher.publish('/tasks/start', TaskStart.typeName, new Uint8Array(0));
    publisher.publish('/tasks/exit', TaskExit.typeName, new Uint8Array(0));
    await containerd.waitFor(2);
    assert.deepEqual(containerd.topics(), ['/tasks/start', '/tasks/exit']);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /publishing \/tasks\/start \(attempt 1 of 5\): events: busy/);
    await publisher.close();
  });

  it('reconnects when containerd comes back', async () => {
    await containerd.start();
    const publisher = new EventPublisher(address, 'default', { onError, retryDelayMs: 20 });
    publisher.publish('/tasks/create', TaskStart.typeName, new Uint8Array(0));
    await containerd.waitFor(1);
    await containerd.stop();
    publisher.publish('/tasks/start', TaskStart.typeName, new Uint8Array(0));
    await sleep(30);
    await containerd.start();
    await containerd.waitFor(2);
    assert.deepEqual(containerd.topics(), ['/tasks/create', '/tasks/start']);
    await publisher.close();
  });

  it('drops an event after its attempts, without throwing, and goes on', async () => {
    const publisher = new EventPublisher(address, 'default', {
      onError,
      retryDelayMs: 1,
      maxAttempts: 3,
    });
    publisher.publish('/tasks/oom', TaskStart.typeName, new Uint8Array(0));
    while (!errors.some((e) => /dropped \/tasks\/oom/.test(e))) await sleep(5);
    assert.equal(errors.filter((e) => /attempt \d of 3/.test(e)).length, 3);
    await containerd.start();
    publisher.publish('/tasks/delete', TaskStart.typeName, new Uint8Array(0));
    await containerd.waitFor(1);
    assert.deepEqual(containerd.topics(), ['/tasks/delete']);
    await publisher.close();
  });

  it('close() gives up after its timeout when containerd is unreachable', async () => {
    const publisher = new EventPublisher(address, 'default', { onError, retryDelayMs: 1000 });
    publisher.publish('/tasks/exit', TaskExit.typeName, new Uint8Array(0));
    const started = Date.now();
    await publisher.close(100);
    assert.ok(Date.now() - started < 1000);
    assert.equal(publisher.pending, 0);
    assert.ok(errors.some((e) => /closed with 1 event\(s\) undelivered/.test(e)));
    // publishing after close is ignored
    publisher.publish('/tasks/exit', TaskExit.typeName, new Uint8Array(0));
    assert.equal(publisher.pending, 0);
  });

  it('publishes nowhere, quietly, without an address', async () => {
    const publisher = new EventPublisher('', 'default', { onError });
    publisher.publish('/tasks/exit', TaskExit.typeName, new Uint8Array(0));
    assert.equal(publisher.pending, 0);
    await publisher.close();
    assert.deepEqual(errors, []);
  });
});
