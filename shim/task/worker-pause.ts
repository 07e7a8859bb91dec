// Pauses and resumes container worker threads through V8's own debugger, reached from the
// daemon's main thread over node:inspector (NodeWorker domain). A paused worker stands still
// wherever it is (a busy loop, or an Atomics.wait sleep) and costs nothing while not paused:
// the daemon attaches to its workers only while one of them is paused, and a worker's
// debugger is enabled only for its pause (enabling it sends one event per script, and the
// engine makes a script of every Wasm function it compiles).
import type * as Inspector from 'inspector';
import type { Worker } from 'worker_threads';

/**
 * How long Pause waits at most for the worker to stand still. A worker blocked in a system
 * call (a read on stdin) handles the request only when the call returns, and then breaks
 * before it runs more than a few statements: Pause learns that from the runner (`blocked`) and
 * does not wait for it.
 */
const pauseWaitMs = 1000;
/**
 * How long Resume waits for the worker's answer before detaching: a paused worker answers in
 * a few ms; one still blocked in its call answers only when the call returns.
 */
const resumeWaitMs = 100;

/** The inspector session of one worker thread, and what waits on it. */
interface WorkerSession {
  sessionId: string;
  nextId: number;
  replies: Map<number, () => void>;
  onPaused: (() => void) | undefined;
}

let session: Inspector.Session | undefined;
/**
 * Worker sessions by worker thread id. The inspector's workerId is its own count of attaches,
 * not the thread id; the thread id is in the title Node gives the worker: "[worker <id>]".
 */
const sessions = new Map<string, WorkerSession>();
const attachWaiters = new Map<string, () => void>();
/**
 * Workers paused (or being paused) through this module, with their thread ids (threadId reads
 * -1 once a worker is ending); the daemon stays attached while there is any.
 */
const paused = new Map<Worker, string>();
let attaching: Promise<void> | undefined;

function post(method: string, params?: object): Promise<void> {
  return new Promise((resolve, reject) =>
    session!.post(method, params, (err) => (err ? reject(err) : resolve())),
  );
}

function openSession(): Inspector.Session {
  // loaded at the first pause, not with the daemon (~2 ms on its start path)
  const inspector = require('inspector') as typeof Inspector;
  const opened = new inspector.Session();
  opened.connect();
  opened.on('NodeWorker.attachedToWorker', ({ params }) => {
    const id = /\[worker (\d+)\]$/.exec(params.workerInfo.title)?.[1];
    if (id === undefined) return;
    sessions.set(id, {
      sessionId: params.sessionId,
      nextId: 1,
      replies: new Map(),
      onPaused: undefined,
    });
    attachWaiters.get(id)?.();
    attachWaiters.delete(id);
  });
  opened.on('NodeWorker.detachedFromWorker', ({ params }) => {
    for (const [id, entry] of sessions) {
      if (entry.sessionId !== params.sessionId) continue;
      sessions.delete(id);
      release(entry);
    }
  });
  opened.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    // most messages are Debugger.scriptParsed, one per script: skip them before parsing
    if (params.message.startsWith('{"method":"Debugger.scriptParsed"')) return;
    const entry = [...sessions.values()].find((s) => s.sessionId === params.sessionId);
    if (entry === undefined) return;
    const message = JSON.parse(params.message) as { id?: number; method?: string };
    if (message.method === 'Debugger.paused') {
      entry.onPaused?.();
      entry.onPaused = undefined;
    } else if (message.id !== undefined) {
      entry.replies.get(message.id)?.();
      entry.replies.delete(message.id);
    }
  });
  return opened;
}

/** Lets everything waiting on a session go (its worker is gone or detached). */
function release(entry: WorkerSession): void {
  entry.onPaused?.();
  entry.onPaused = undefined;
  for (const reply of entry.replies.values()) reply();
  entry.replies.clear();
}

/** The inspector session of `worker`, attaching to the daemon's workers if not yet attached. */
async function attach(id: string): Promise<WorkerSession | undefined> {
  session ??= openSession();
  if (!sessions.has(id)) {
    const attached = new Promise<void>((resolve) => attachWaiters.set(id, resolve));
    attaching ??= post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await attaching;
    // the worker may have ended meanwhile: then no attach event comes
    await Promise.race([attached, new Promise((resolve) => setTimeout(resolve, pauseWaitMs))]);
    attachWaiters.delete(id);
  }
  return sessions.get(id);
}

/** Sends a protocol command to a worker; resolves on its reply (or when the worker goes). */
function send(entry: WorkerSession, method: string): Promise<void> {
  const id = entry.nextId++;
  const replied = new Promise<void>((resolve) => entry.replies.set(id, resolve));
  const message = JSON.stringify({ id, method, params: {} });
  void post('NodeWorker.sendMessageToWorker', { sessionId: entry.sessionId, message }).catch(() =>
    entry.replies.get(id)?.(),
  );
  return replied;
}

/** How often Pause looks whether the worker is blocked in a call, and how long it must be. */
const blockedCheckMs = 20;

/**
 * Pauses `worker` where it is. Resolves once it stands still, or as soon as `blocked` says it
 * is blocked in a call that runs no JS (it breaks when the call returns; V8 handles the pause
 * at once in Atomics.wait, but not in a read), or after pauseWaitMs.
 */
export async function pauseWorker(worker: Worker, blocked?: () => boolean): Promise<void> {
  const id = String(worker.threadId);
  paused.set(worker, id);
  const entry = await attach(id);
  if (entry === undefined) return; // ended meanwhile
  const stopped = new Promise<void>((resolve) => (entry.onPaused = resolve));
  void send(entry, 'Debugger.enable');
  void send(entry, 'Debugger.pause');
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    const deadline = Date.now() + pauseWaitMs;
    const check = () => {
      if (blocked?.() || Date.now() >= deadline) resolve();
      else timer = setTimeout(check, blockedCheckMs);
    };
    timer = setTimeout(check, blockedCheckMs);
  });
  await Promise.race([stopped, waited]);
  clearTimeout(timer);
}

/** Lets a worker paused by pauseWorker go on; detaches from workers once none is paused. */
export async function resumeWorker(worker: Worker): Promise<void> {
  const id = paused.get(worker);
  if (id === undefined) return;
  paused.delete(worker);
  const entry = sessions.get(id);
  if (entry !== undefined) {
    entry.onPaused = undefined;
    void send(entry, 'Debugger.resume');
    const disabled = send(entry, 'Debugger.disable');
    // a worker still in its system call answers late; detaching resumes it anyway
    await Promise.race([disabled, new Promise((resolve) => setTimeout(resolve, resumeWaitMs))]);
  }
  if (paused.size === 0 && attaching !== undefined) {
    // NodeWorker.disable detaches every worker; a pause that comes next attaches afresh
    attaching = undefined;
    const detached = [...sessions.values()];
    sessions.clear();
    void post('NodeWorker.disable').catch(() => undefined);
    for (const gone of detached) release(gone);
  }
}

/** Whether `worker` is paused (or being paused) by pauseWorker. */
export function isPaused(worker: Worker): boolean {
  return paused.has(worker);
}
