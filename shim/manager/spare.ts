// Spare daemons (opt-in: TSWASM_SHIM_SPARE=1 in containerd's environment). A spare is a daemon
// booted ahead of need, listening on a socket of its own per containerd and namespace. The sh
// launcher's `start` claims it by renaming that socket to the new container's socket path (a
// unix socket is bound to its inode, so the daemon keeps listening under the new name), which
// takes the daemon's whole boot off `ctr run`. The claimed daemon learns its new path from the
// `address` file of its first Create, and boots the next spare. An unclaimed spare leaves after
// the daemon's idle time; it first renames its socket away, so it never exits under a claim.
// A spare writes its pid to `<socket>.pid` once it listens: start claims only a live one.
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { socketPathOf } from '../ttrpc/socket';
import { defaultSocketDir } from './group';
import { daemonEntry, daemonNodeFlags } from './start';

/** Whether containerd's environment asks for spare daemons. */
export function sparesWanted(env: NodeJS.ProcessEnv): boolean {
  return env.TSWASM_SHIM_SPARE === '1';
}

/**
 * The spare's socket for a containerd (its address) and namespace:
 * `<dir>/<sha256 hex of "tswasm-spare:" + path.join(address, namespace)>`. No container's
 * socket can have that name: theirs hash a path.join that starts with the absolute address.
 */
export function sparePathFor(address: string, namespace: string, env: NodeJS.ProcessEnv): string {
  const digest = createHash('sha256')
    .update(`tswasm-spare:${path.join(address, namespace)}`)
    .digest('hex');
  return path.join(env.TSWASM_SOCKET_DIR || defaultSocketDir, digest);
}

/** Boots a spare daemon for `address` and `namespace`, detached; does not wait for it. */
export function spawnSpare(address: string, namespace: string, debug: boolean): void {
  const socket = sparePathFor(address, namespace, process.env);
  const args = [
    ...daemonNodeFlags,
    ...daemonEntry(),
    '-namespace',
    namespace,
    '-address',
    address,
    '-socket',
    socket,
    '-spare',
    ...(debug ? ['-debug'] : []),
    'serve',
  ];
  const child = spawn(process.execPath, args, {
    cwd: '/',
    env: process.env,
    detached: true,
    stdio: 'ignore',
  });
  child.on('error', () => {}); // no spare: the next start boots a daemon as without spares
  child.unref();
}

/**
 * Gives up the spare socket before an unclaimed spare exits: renames it away, which fails when
 * a `start` has claimed it (renamed it) first. Returns whether the spare was still unclaimed.
 */
export function releaseSpare(socket: string): boolean {
  const away = `${socket}.exiting-${process.pid}`;
  try {
    fs.renameSync(socket, away);
  } catch {
    return false;
  }
  fs.rmSync(away, { force: true });
  fs.rmSync(`${socket}.pid`, { force: true });
  return true;
}

/**
 * Claims the live spare for `address` and `namespace`, as the sh launcher does: renames its
 * socket to `socket`. Returns false when there is none, it is dead, or another start got it.
 */
export function claimSpare(
  address: string,
  namespace: string,
  socket: string,
  env: NodeJS.ProcessEnv,
): boolean {
  const spare = sparePathFor(address, namespace, env);
  try {
    process.kill(Number(fs.readFileSync(`${spare}.pid`, 'utf8')), 0);
    fs.renameSync(spare, socket);
    return true;
  } catch {
    return false;
  }
}

/** The socket a claimed spare now listens on, from its first container's `address` file. */
export function claimedSocket(bundle: string): string | undefined {
  try {
    return socketPathOf(fs.readFileSync(path.join(bundle, 'address'), 'utf8').trim());
  } catch {
    return undefined;
  }
}
