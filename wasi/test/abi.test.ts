// The ABI at the byte level, without a compiled program: imports called directly on a memory
// filled with sentinel bytes, checking exactly which bytes each call writes (wazero's style),
// that i64 parameters arrive as BigInt, and that the 46 functions are all there.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { WASI, exitCodeOf, wasiFunctions } from '../index';
import { Errno, Rights, functionSignatures } from '../spec';
import { tempDir } from './harness';

interface MemoryApi {
  Memory: new (descriptor: { initial: number }) => {
    buffer: ArrayBuffer;
    grow(pages: number): number;
  };
}
const { Memory } = (globalThis as unknown as { WebAssembly: MemoryApi }).WebAssembly;

/** A WASI bound to a fresh one-page memory filled with 0xee. */
function setup(options: ConstructorParameters<typeof WASI>[0] = {}) {
  const memory = new Memory({ initial: 1 });
  new Uint8Array(memory.buffer).fill(0xee);
  const wasi = new WASI(options);
  wasi.attach({ exports: { memory } });
  const call = (name: string, ...args: (number | bigint)[]): number | undefined =>
    wasi.wasiImport[name](...args);
  const bytes = (at: number, n: number): number[] => [...new Uint8Array(memory.buffer, at, n)];
  return { wasi, memory, call, bytes };
}

describe('WASI ABI', () => {
  it('declares exactly the 46 wasi_snapshot_preview1 functions', () => {
    const names = wasiFunctions.map((fn) => fn.name).sort();
    assert.equal(names.length, 46);
    assert.deepEqual(names, Object.keys(functionSignatures).sort());
    for (const fn of wasiFunctions)
      assert.equal(fn.params.length, functionSignatures[fn.name].length, fn.name);
    assert.equal(Errno.NOTCAPABLE, 76);
    assert.equal(Errno.PERM, 63);
    assert.equal(Rights.SOCK_ACCEPT, 1n << 29n);
  });

  it('args_sizes_get / args_get write the counts, the pointers and NUL-terminated strings only', () => {
    const { wasi, call, bytes } = setup({ args: ['a', 'bé'] });
    assert.equal(call('args_sizes_get', 0, 4), 0);
    assert.deepEqual(bytes(0, 9), [2, 0, 0, 0, 6, 0, 0, 0, 0xee]);
    assert.equal(call('args_get', 16, 32), 0);
    assert.deepEqual(bytes(16, 9), [32, 0, 0, 0, 34, 0, 0, 0, 0xee]);
    assert.deepEqual(bytes(32, 7), [0x61, 0, 0x62, 0xc3, 0xa9, 0, 0xee]);
    wasi.close();
  });

  it('fd_fdstat_get writes the 24-byte struct with zeroed padding', () => {
    const { wasi, call, bytes } = setup();
    assert.equal(call('fd_fdstat_get', 1, 8), 0);
    const out = bytes(8, 25);
    assert.equal(out[1], 0); // padding after the u8 filetype
    assert.deepEqual(out.slice(4, 8), [0, 0, 0, 0]);
    assert.equal(out[24], 0xee);
    assert.equal(call('fd_fdstat_get', 99, 8), Errno.BADF);
    wasi.close();
  });

  it('takes i64 parameters as BigInt (clock_time_get, fd_seek) and writes u64 results', () => {
    const dir = tempDir('abi');
    try {
      fs.writeFileSync(path.join(dir, 'f'), 'abcdef');
      const { wasi, call, bytes, memory } = setup({ preopens: { '/d': dir } });
      assert.equal(call('clock_time_get', 1, 1000n, 0), 0);
      assert.notDeepEqual(bytes(0, 8), [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
      new TextEncoder().encodeInto('f', new Uint8Array(memory.buffer, 100));
      assert.equal(
        call('path_open', 3, 0, 100, 1, 0, Rights.FD_READ | Rights.FD_SEEK, 0n, 0, 200),
        0,
      );
      const fd = new DataView(memory.buffer).getUint32(200, true);
      assert.equal(fd, 4);
      assert.equal(call('fd_seek', fd, -2n, 2, 300), 0); // END - 2
      assert.equal(new DataView(memory.buffer).getBigUint64(300, true), 4n);
      assert.equal(call('fd_seek', fd, 0n, 9, 300), Errno.INVAL);
      wasi.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-reads memory.buffer after memory.grow', () => {
    const { wasi, call, memory } = setup({ args: ['x'] });
    memory.grow(1);
    assert.equal(call('args_sizes_get', 65536 + 8, 65536 + 12), 0); // only in the new page
    assert.equal(new DataView(memory.buffer).getUint32(65536 + 8, true), 1);
    // A pointer past the end traps, as in wasmtime (witx: such calls "shall trap").
    assert.throws(() => call('args_sizes_get', 2 * 65536, 0), RangeError);
    assert.throws(() => call('random_get', 2 * 65536 - 4, 8), /out of bounds/);
    wasi.close();
  });

  it('start refuses an instance without memory or without _start, naming what is missing', () => {
    assert.throws(
      () => new WASI().start({ exports: { _start: () => {} } }),
      /no memory named "memory"/,
    );
    const memory = new Memory({ initial: 1 });
    assert.throws(() => new WASI().start({ exports: { memory } }), /no "_start" function/);
    assert.equal(new WASI().start({ exports: { memory, _start: () => {} } }), 0);
  });

  it('start closes the host fds the command held, even those the guest left open', () => {
    const dir = tempDir('abi');
    try {
      fs.writeFileSync(path.join(dir, 'f'), 'x');
      const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
      const before = openFds();
      const memory = new Memory({ initial: 1 });
      const wasi = new WASI({ preopens: { '/d': dir } });
      new TextEncoder().encodeInto('f', new Uint8Array(memory.buffer, 100));
      const _start = (): void => {
        for (let i = 0; i < 3; i++) {
          assert.equal(wasi.wasiImport.path_open(3, 0, 100, 1, 0, Rights.FD_READ, 0n, 0, 200), 0);
        }
        assert.equal(openFds(), before + 4); // the preopen and three files
        wasi.wasiImport.proc_exit(5);
      };
      assert.equal(wasi.start({ exports: { memory, _start } }), 5);
      assert.equal(openFds(), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('proc_exit unwinds with an exit signal that start turns into the exit code', () => {
    const { wasi } = setup();
    assert.throws(
      () => wasi.wasiImport.proc_exit(3),
      (error: unknown) => exitCodeOf(error) === 3,
    );
    // 126 and up are the host's (wasmtime traps on them)
    assert.throws(
      () => wasi.wasiImport.proc_exit(126),
      (error: unknown) =>
        exitCodeOf(error) === undefined && /invalid exit status/.test(String(error)),
    );
    wasi.close();
  });
});
