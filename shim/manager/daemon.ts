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

export interface DaemonOptions {
  namespace: string;
  socket: string;
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
  const logger = openLogger(path.join(options.bundle, 'log'), options.debug);
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
      if (ownsSocket()) fs.rmSync(options.socket, { force: true });
      // answer Shutdown first, then go
      setTimeout(() => void shutdown(), 20);
    },
    log: (level, message, containerId) => logger.log(level, message, containerId),
    onContainer: (event, containerId, bundle) =>
      event === 'created' ? logger.attach(containerId, bundle) : logger.detach(containerId),
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
  const socketInode = fs.statSync(options.socket).ino;
  /** Whether the socket file is still the one we bound (not a successor's). */
  const ownsSocket = () => {
    try {
      return fs.statSync(options.socket).ino === socketInode;
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
      if (ownsSocket()) fs.rmSync(options.socket, { force: true });
      void shutdown();
    }
  }, 10_000).unref();
  logger.log(
    'info',
    `serving ${options.socket} (pid ${process.pid}, engine ${engineName()}, ${options.protocol})`,
  );
}
