// Writes frames to a socket. Frames written in the same tick (answers to concurrent calls,
// requests issued together) are corked and leave in one writev, saving a syscall per frame;
// each frame's buffers are written back to back, so frames never interleave.
import type * as net from 'net';
import type { FrameParts } from './envelope';

export class FrameWriter {
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: net.Socket) {}

  write(parts: FrameParts): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(parts[0]);
    if (parts.length === 2) this.socket.write(parts[1]);
  }
}
