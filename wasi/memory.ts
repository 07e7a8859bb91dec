// Reading and writing guest memory. The memory's buffer is re-read on every access because
// memory.grow replaces it; the DataView is kept for as long as the buffer stays the same.
import { GuestTrap } from './errors';
import { Layout } from './spec';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Anything with the `buffer` of a WebAssembly.Memory (built-in or tswasm's). */
export interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export class GuestMemory {
  memory: MemoryLike | undefined;
  private viewedBuffer: ArrayBuffer | SharedArrayBuffer | undefined;
  private cachedView: DataView | undefined;

  private buffer(): ArrayBuffer | SharedArrayBuffer {
    if (!this.memory) throw new Error('WASI: the instance exports no memory named "memory"');
    return this.memory.buffer;
  }

  view(): DataView {
    const buffer = this.buffer();
    if (buffer !== this.viewedBuffer || this.cachedView === undefined) {
      this.viewedBuffer = buffer;
      this.cachedView = new DataView(buffer);
    }
    return this.cachedView;
  }

  bytes(ptr: number, len: number): Uint8Array {
    const buffer = this.buffer();
    if (ptr + len > buffer.byteLength) {
      throw new GuestTrap(`WASI: pointer out of bounds of memory (${ptr}+${len})`);
    }
    return new Uint8Array(buffer, ptr, len);
  }

  /** A UTF-8 string from guest memory; throws TypeError on invalid UTF-8 (mapped to EILSEQ). */
  string(ptr: number, len: number): string {
    return utf8.decode(this.bytes(ptr, len));
  }

  /** The guest buffers of an iovec array, as views into memory. */
  iovecs(ptr: number, count: number): Uint8Array[] {
    const view = this.view();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * Layout.iovec.size;
      const buf = view.getUint32(at + Layout.iovec.buf, true);
      const len = view.getUint32(at + Layout.iovec.len, true);
      out.push(this.bytes(buf, len));
    }
    return out;
  }

  u32(ptr: number, value: number): void {
    this.view().setUint32(ptr, value, true);
  }

  u64(ptr: number, value: bigint): void {
    this.view().setBigUint64(ptr, value, true);
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
