// Unix socket addresses as containerd writes them, and listening on one safely: the parent
// folder is created, a stale socket file left by a dead process is replaced, a live one is
// not, and the socket is only accessible to its owner (mode 0600).
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** The longest unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** The file path of `unix:///run/x.sock` or `/run/x.sock`. */
export function socketPathOf(address: string): string {
  return address.startsWith('unix://') ? address.slice('unix://'.length) : address;
}

/** Whether something accepts connections on the socket at `socketPath`. */
export function socketAnswers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (answers: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answers);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Makes `address` ready to bind: creates its folder and removes a stale socket file left by a
 * dead process. Fails with EADDRINUSE when a live server answers there. Returns the path.
 */
export async function prepareSocketPath(address: string): Promise<string> {
  const socketPath = socketPathOf(address);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new Error(
      `socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; unix sockets allow ${MAX_SOCKET_PATH}`,
    );
  }
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o711 });
  if (fs.existsSync(socketPath)) {
    if (await socketAnswers(socketPath)) {
      throw Object.assign(new Error(`listen ${socketPath}: address already in use`), {
        code: 'EADDRINUSE',
      });
    }
    fs.rmSync(socketPath, { force: true });
  }
  return socketPath;
}

/** Listens on a unix socket with mode 0600, creating its folder and clearing a stale file. */
export async function listenUnix(server: net.Server, address: string): Promise<string> {
  const socketPath = await prepareSocketPath(address);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    // bind with a tight umask so the socket never exists with wider permissions
    const restore = setUmask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      restore();
    }
  });
  fs.chmodSync(socketPath, 0o600);
  return socketPath;
}

/** Sets the process umask where allowed (not in worker threads); returns the undo. */
function setUmask(mask: number): () => void {
  try {
    const old = process.umask(mask);
    return () => process.umask(old);
  } catch {
    return () => undefined;
  }
}
