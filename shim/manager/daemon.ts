// The shim daemon: serves the Task API over ttrpc on the group's socket, publishes events to
// containerd, and exits on Shutdown once it hosts no container, removing its socket.
import * as fs from 'fs';
import * as path from 'path';
import { EventPublisher } from '../events/publisher';
import { openLogger } from '../log';
import { registerTaskService } from '../task/register';
import { TaskService } from '../task/service';
import { hasStuckWorkers, prewarmWorker } from '../task/wasm-runner';
import { TtrpcServer } from '../ttrpc';
import { engineName } from '../worker/engine';
import { claimedSocket, releaseSpare, sparesWanted, spawnSpare } from './spare';

export interface DaemonOptions {
  namespace: string;
  /** containerd's gRPC address (-address), which names the spare daemon's socket. */
  address: string;
  socket: string;
  /** A spare (spare.ts): no container yet, its socket to be claimed by a `start`. */
  spare?: boolean;
  /** containerd's ttrpc address, for events (TTRPC_ADDRESS). */
  ttrpcAddress: string;
  bundle: string;
  debug: boolean;
  /** ttrpc (every containerd) or gRPC (containerd 1.7+, on request). */
  protocol: 'ttrpc' | 'grpc';
  /** A pipe from `start` to close once listening (it waits for that instead of polling). */
  readyFd?: number;
}

/** How long a daemon without containers waits for one before it exits. */
const idleExitMs = 5 * 60_000;

export async function runDaemon(options: DaemonOptions): Promise<void> {
  // a spare has no bundle of its own until claimed: it logs nowhere until then
  let logger = openLogger(options.spare ? '' : path.join(options.bundle, 'log'), options.debug);
  let socket = options.socket;
  let unclaimed = options.spare === true;
  let spareSpawned = false;
  const publisher = new EventPublisher(options.ttrpcAddress, options.namespace);
  const server = new TtrpcServer();
  let exiting = false;
  const shutdown = async () => {
    // a Create that came in since Shutdown (over a connection opened before) keeps us
    if (exiting || service.containerCount > 0) return;
    exiting = true;
    logger.log('info', 'shutting down: no container left');
    // no server.close(): it would unlink the socket path, which a new daemon of the same
    // group may already own; exiting closes our listener and connections all the same
    await publisher.close().catch(() => {});
    logger.close();
    // exit would wait forever to join a worker stuck in a blocking read
    if (hasStuckWorkers()) process.kill(process.pid, 'SIGKILL');
    process.exit(0);
  };
  const service = new TaskService({
    publisher,
    namespace: options.namespace,
    engine: engineName(),
    onShutdown: () => {
      // from now on `start` finds no daemon here and starts a new one for the group
      if (ownsSocket()) fs.rmSync(socket, { force: true });
      // answer Shutdown first, then go
      setTimeout(() => void shutdown(), 20);
    },
    log: (level, message, containerId) => logger.log(level, message, containerId),
    onContainer: (event, containerId, bundle) => {
      if (event !== 'created') return logger.detach(containerId);
      if (unclaimed) {
        // a start renamed our socket to this container's and wrote it in its address file
        unclaimed = false;
        fs.rmSync(`${options.socket}.pid`, { force: true }); // before the next spare writes its
        socket = claimedSocket(bundle) ?? socket;
        logger.close();
        logger = openLogger(path.join(bundle, 'log'), options.debug);
        logger.log('info', `spare daemon (pid ${process.pid}) claimed: serving ${socket}`);
      }
      logger.attach(containerId, bundle);
      // the next container's spare boots now, once this Create has been answered
      if (sparesWanted(process.env) && !spareSpawned) {
        spareSpawned = true;
        setImmediate(() => spawnSpare(options.address, options.namespace, options.debug));
      }
    },
  });
  registerTaskService(server, service, (message, containerId) =>
    logger.log('debug', message, containerId || undefined),
  );
  // one container's failure must not take the daemon (and every other container) down
  process.on('uncaughtException', (err) =>
    logger.log('error', `uncaught: ${err.stack ?? err.message}`),
  );
  process.on('unhandledRejection', (err) =>
    logger.log('error', `unhandled rejection: ${String(err)}`),
  );
  process.on('SIGPIPE', () => {});
  if (options.protocol === 'grpc') {
    const { serveGrpc } = await import('../grpc/server');
    await serveGrpc(server, options.socket);
  } else {
    await server.listen(options.socket);
  }
  if (options.readyFd !== undefined) {
    try {
      fs.closeSync(options.readyFd);
    } catch {
      // start is gone already
    }
  }
  // the first container's worker boots while containerd is on its way to Create (not before
  // we listen: on a busy machine it would slow the boot that start is waiting for)
  prewarmWorker(engineName());
  // a spare's pid beside its socket: start claims only a spare that is alive
  if (unclaimed) {
    // written aside and renamed: a reader (start, the sh launcher) never sees it empty
    const pidFile = `${socket}.pid`;
    fs.writeFileSync(`${pidFile}.${process.pid}`, `${process.pid}\n`);
    fs.renameSync(`${pidFile}.${process.pid}`, pidFile);
  }
  const socketInode = fs.statSync(socket).ino;
  /** Whether the socket file is still the one we bound (not a successor's). */
  const ownsSocket = () => {
    try {
      return fs.statSync(socket).ino === socketInode;
    } catch {
      return false;
    }
  };
  // a daemon nobody uses (containerd went away between start and Create, or a start race
  // left a second daemon without a socket) leaves after a while rather than forever
  let lastBusy = Date.now();
  setInterval(() => {
    if (service.containerCount > 0) lastBusy = Date.now();
    else if (Date.now() - lastBusy > idleExitMs) {
      // an unclaimed spare gives its socket up first; if a start has claimed it, we wait for
      // its Create one more idle time (then go as a daemon nobody used)
      if (unclaimed && !releaseSpare(socket)) {
        unclaimed = false;
        lastBusy = Date.now();
      } else {
        if (ownsSocket()) fs.rmSync(socket, { force: true });
        void shutdown();
      }
    }
  }, 10_000).unref();
  logger.log(
    'info',
    `serving ${socket} (pid ${process.pid}, engine ${engineName()}, ${options.protocol}${unclaimed ? ', spare' : ''})`,
  );
}
