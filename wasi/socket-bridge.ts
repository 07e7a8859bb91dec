// Sockets for a guest that runs synchronously. Node can accept only on an event loop, which is
// blocked while the guest runs, so a small helper thread owns the listening sockets: it
// accepts (connections paused, never read by it), and hands the connection's host fd back
// through shared memory. The guest thread then reads and writes that fd directly with
// fs.readSync/writeSync; shutdown and close go back to the helper, which owns the socket.
import { Worker } from 'worker_threads';
import { fail } from './errors';
import { Errno } from './spec';

/** Helper-thread program (CommonJS, run with eval so that bundles need no extra file). */
const helperSource = `
const { parentPort, workerData } = require('worker_threads');
const net = require('net');
const { listeners, shared } = workerData;
const cells = new Int32Array(shared);
// cells[0] = reply state (0 idle, 1 ready), cells[1] = reply value,
// cells[2 + i] = connections waiting on listener i
const queues = listeners.map(() => []);
const waiting = listeners.map(() => null);
const connections = new Map();
let nextId = 1;
function reply(value) { Atomics.store(cells, 1, value); Atomics.store(cells, 0, 1); Atomics.notify(cells, 0); }
function hand(i, socket) {
  const id = nextId++;
  connections.set(id, socket);
  socket.on('error', () => {});
  return [id, socket._handle.fd];
}
let bound = 0;
listeners.forEach((spec, i) => {
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (waiting[i]) { waiting[i] = null; const [id, fd] = hand(i, socket); reply2(id, fd); }
    else { queues[i].push(socket); Atomics.store(cells, 2 + i, queues[i].length); }
  });
  server.on('error', (e) => { process.stderr.write('socket helper: ' + e.message + '\\n'); reply(-1); });
  const ready = () => { if (++bound === listeners.length) reply(0); };
  if (typeof spec === 'number') server.listen({ fd: spec }, ready);
  else server.listen({ host: spec.host, port: spec.port }, ready);
});
function reply2(id, fd) { Atomics.store(cells, 2 + listeners.length, id); reply(fd); }
parentPort.on('message', (m) => {
  if (m.op === 'accept') {
    const q = queues[m.listener];
    if (q.length > 0) { const [id, fd] = hand(m.listener, q.shift()); Atomics.store(cells, 2 + m.listener, q.length); reply2(id, fd); }
    else if (m.nonblock) reply(-11);
    else waiting[m.listener] = true;
  } else if (m.op === 'shutdown') {
    const s = connections.get(m.id);
    if (s && (m.how & 2)) s.end();
    reply(0);
  } else if (m.op === 'close') {
    const s = connections.get(m.id);
    connections.delete(m.id);
    if (s) s.destroy();
    reply(0);
  }
});
`;

/** A listening socket for the helper: an inherited host fd, or an address to listen on. */
export type ListenSpec = number | { host: string; port: number };

export class SocketBridge {
  private readonly worker: Worker;
  private readonly cells: Int32Array;

  constructor(private readonly listeners: ListenSpec[]) {
    const shared = new SharedArrayBuffer(4 * (listeners.length + 3));
    this.cells = new Int32Array(shared);
    this.worker = new Worker(helperSource, { eval: true, workerData: { listeners, shared } });
    this.worker.unref();
    if (this.wait() < 0) throw new Error('WASI: could not listen on the sockets given');
  }

  /** Blocks until the helper replies; returns its value. */
  private wait(): number {
    while (Atomics.load(this.cells, 0) === 0) Atomics.wait(this.cells, 0, 0);
    Atomics.store(this.cells, 0, 0);
    return Atomics.load(this.cells, 1);
  }

  private call(message: object): number {
    this.worker.postMessage(message);
    return this.wait();
  }

  /** Accepts a connection on listener `index`: [connection id, host fd]. */
  accept(index: number, nonblock: boolean): [number, number] {
    const fd = this.call({ op: 'accept', listener: index, nonblock });
    if (fd === -11) throw fail(Errno.AGAIN);
    return [Atomics.load(this.cells, 2 + this.listeners.length), fd];
  }

  shutdown(id: number, how: number): void {
    this.call({ op: 'shutdown', id, how });
  }

  close(id: number): void {
    this.call({ op: 'close', id });
  }

  /** Connections waiting to be accepted on a listener (for poll_oneoff); -1 when none. */
  pending(index: number): number {
    const n = Atomics.load(this.cells, 2 + index);
    return n > 0 ? n : -1;
  }

  terminate(): void {
    void this.worker.terminate();
  }
}
