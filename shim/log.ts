// The daemon's log: lines to the `log` FIFO containerd reads in the bundle (opened O_RDWR and
// non-blocking, so opening never waits and a stalled reader drops lines instead of stalling
// the daemon), in logrus' text format so containerd's log shows them naturally.
import * as fs from 'fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string): void;
  close(): void;
}

export function openLogger(file: string, debug: boolean): Logger {
  let fd = -1;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND);
  } catch {
    // no log FIFO (run by hand or in tests): log nowhere
  }
  return {
    log(level, message) {
      if (fd < 0 || (level === 'debug' && !debug)) return;
      const line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(message)} runtime=io.containerd.tswasm.v1\n`;
      try {
        fs.writeSync(fd, line);
      } catch {
        // EAGAIN: nobody reads; drop the line
      }
    },
    close() {
      if (fd >= 0) fs.closeSync(fd);
      fd = -1;
    },
  };
}
