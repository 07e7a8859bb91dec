// The daemon's log: lines to the `log` FIFO containerd reads in each bundle (opened O_RDWR
// and non-blocking, so opening never waits and a stalled reader drops lines instead of
// stalling the daemon), in logrus' text format so containerd's log shows them naturally.
// A daemon shared by a group writes a container's lines to that container's bundle, and its
// own lines to the bundle it was started in.
import * as fs from 'fs';
import * as path from 'path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  /** Logs to `containerId`'s bundle when it is attached, else to the daemon's own log. */
  log(level: LogLevel, message: string, containerId?: string): void;
  /** Sends `containerId`'s lines to `<bundle>/log` from now on. */
  attach(containerId: string, bundle: string): void;
  detach(containerId: string): void;
  close(): void;
}

function openFifo(file: string): number {
  try {
    return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND);
  } catch {
    return -1; // no log FIFO (run by hand or in tests): log nowhere
  }
}

function closeFd(fd: number): void {
  if (fd >= 0) fs.closeSync(fd);
}

export function openLogger(file: string, debug: boolean): Logger {
  const fileOfOwn = file;
  let own = openFifo(file);
  const byContainer = new Map<string, number>();
  return {
    log(level, message, containerId) {
      if (level === 'debug' && !debug) return;
      const fd = (containerId !== undefined ? byContainer.get(containerId) : undefined) ?? own;
      if (fd < 0) return;
      const id = containerId === undefined ? '' : ` id=${JSON.stringify(containerId)}`;
      const line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(message)}${id} runtime=io.containerd.tswasm.v1\n`;
      try {
        fs.writeSync(fd, line);
      } catch {
        // EAGAIN: nobody reads; drop the line
      }
    },
    attach(containerId, bundle) {
      const file = path.join(bundle, 'log');
      if (byContainer.has(containerId) || path.resolve(file) === path.resolve(fileOfOwn)) return;
      const fd = openFifo(file);
      if (fd >= 0) byContainer.set(containerId, fd);
    },
    detach(containerId) {
      closeFd(byContainer.get(containerId) ?? -1);
      byContainer.delete(containerId);
    },
    close() {
      for (const fd of byContainer.values()) closeFd(fd);
      byContainer.clear();
      closeFd(own);
      own = -1;
    },
  };
}
