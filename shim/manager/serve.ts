// The shim daemon process: its command line, and how it tells `start` it is ready (its entry
// point is daemon-main.ts, bundled alone so that `start` and `delete` never load the daemon).
// containerd 1.6 dials the address `start` prints once, right after `start` exits (no retry:
// a path that does not exist yet fails the container), so `start` waits until the daemon
// listens: it passes a pipe as `-ready-fd`, which the daemon closes once it listens, or which
// closes by itself when the daemon dies. A daemon that neither listens nor dies within
// `listenTimeoutMs` gives up, so `start` never waits forever.
// Usage: node [flags] containerd-shim-tswasm-v1-daemon.js -namespace NS -socket PATH
//        [-address A] [-id ID] [-protocol ttrpc|grpc] [-ready-fd N] [-spare] [-debug] serve
import * as path from 'path';
import { parseFlags } from '../flags';
import { openLogger } from '../log';

const flagSpec = {
  strings: ['namespace', 'address', 'publish-binary', 'id', 'socket', 'protocol', 'ready-fd'],
  booleans: ['debug', 'spare'],
};

/** How long the daemon may take to listen before it gives up (start waits that long at most). */
export const listenTimeoutMs = 10_000;

export async function serve(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, flagSpec);
  const flag = (name: string) => flags.strings.get(name) ?? '';
  const socket = flag('socket');
  const bundle = process.cwd();
  if (flags.rest[0] !== 'serve' || socket === '') {
    throw new Error('usage: containerd-shim-tswasm-v1-daemon -socket PATH [flags] serve');
  }
  const fail = (message: string) => {
    // a spare's working directory is not a bundle: it has no log to write to
    if (!flags.booleans.has('spare')) {
      const logger = openLogger(path.join(bundle, 'log'), false);
      logger.log('error', message);
      logger.close();
    }
    process.exit(1); // closes the ready pipe: start reports the failure
  };
  const watchdog = setTimeout(
    () => fail(`shim daemon did not listen on ${socket} within ${listenTimeoutMs / 1000} s`),
    listenTimeoutMs,
  );
  try {
    // loaded here, not at the top, so that a daemon that cannot load still logs why
    const { runDaemon } = await import('./daemon');
    await runDaemon({
      namespace: flag('namespace') || process.env.NAMESPACE || '',
      address: flag('address'),
      socket,
      spare: flags.booleans.has('spare'),
      ttrpcAddress: process.env.TTRPC_ADDRESS ?? '',
      bundle,
      debug: flags.booleans.has('debug'),
      protocol: flag('protocol') === 'grpc' ? 'grpc' : 'ttrpc',
      readyFd: flag('ready-fd') === '' ? undefined : Number(flag('ready-fd')),
    });
  } catch (err) {
    // another daemon of the same group won the race to listen: it serves, we go
    if ((err as { code?: string }).code === 'EADDRINUSE') process.exit(0);
    fail(`shim daemon failed before serving: ${(err as Error).stack ?? String(err)}`);
  }
  clearTimeout(watchdog);
}
