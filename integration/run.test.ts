// `ctr run --rm --runtime io.containerd.tswasm.v1` against a real containerd: the module's
// output, arguments, exit code and stdin come through; --null-io works; an entry that is not
// Wasm fails with an error naming the file; nothing is left behind.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  Containerd,
  importWasmImages,
  notWasmImage,
  tswasmRuntime,
  run,
  sleep,
  until,
  wasmImage,
  mountsUnder,
  greetingFile,
} from './harness';
import { itWith } from './pending';

describe('ctr run --rm with tswasm', function () {
  this.timeout(120_000);
  let containerd: Containerd;
  const runWasm = (
    id: string,
    image: string,
    args: string[],
    stdin?: string,
    extra: string[] = [],
  ) =>
    containerd.ctr(['run', '--rm', '--runtime', tswasmRuntime, ...extra, image, id, ...args], {
      stdin,
      timeoutMs: 60_000,
    });
  const explain = (result: { stdout: string; stderr: string }) =>
    `stdout: ${result.stdout}\nstderr: ${result.stderr}\n${containerd.logTail()}`;

  before(async () => {
    containerd = await Containerd.start();
    await importWasmImages(containerd);
  });
  after(async () => {
    await containerd?.stop();
  });

  itWith(['run'], 'prints the module output and exits 0 with the image entrypoint', async () => {
    const result = await runWasm('hello-0', wasmImage('hello'), []);
    assert.equal(result.code, 0, explain(result));
    assert.equal(result.stdout, 'Hello from tswasm\n');
  });

  itWith(['run'], 'passes arguments and returns the module exit code', async () => {
    const result = await runWasm('hello-args', wasmImage('hello'), ['/hello.wasm', '42', 'x y']);
    assert.equal(result.code, 42, explain(result));
    assert.equal(result.stdout, 'Hello from tswasm\narg 1: 42\narg 2: x y\n');
  });

  itWith(['run'], 'feeds stdin piped into ctr run to the module', async () => {
    const input = 'line one\nline two\n' + 'x'.repeat(100_000) + '\n';
    const result = await runWasm('cat-stdin', wasmImage('cat'), [], input);
    assert.equal(result.code, 0, explain(result));
    assert.equal(result.stdout.length, input.length);
    assert.equal(result.stdout, input);
    assert.match(result.stderr, /cat: done/);
  });

  // Input that ends before the task exists (`ctr run ... < file`) never reaches EOF in the
  // container: ctr turns stdin's EOF into CloseIO only once the task exists (containerd#4489),
  // and the shim, like runc's, keeps its own write end of the stdin FIFO until CloseIO. Checked
  // here with runc: `echo hi | ctr run --rm --rootfs DIR id /cat` prints hi and hangs too.

  itWith(['run'], 'runs with --null-io and still returns the exit code', async () => {
    const result = await runWasm(
      'hello-null',
      wasmImage('hello'),
      ['/hello.wasm', '3'],
      undefined,
      ['--null-io'],
    );
    assert.equal(result.code, 3, explain(result));
    assert.equal(result.stdout, '');
  });

  itWith(['run'], "gives the module the image's Env plus ctr run --env", async () => {
    const result = await runWasm('env', wasmImage('env'), [], undefined, [
      '--env',
      'GREETING=hi there',
    ]);
    assert.equal(result.code, 0, explain(result));
    const lines = result.stdout.split('\n');
    assert.ok(lines.includes('PATH=/'), result.stdout);
    assert.ok(lines.includes('GREETING=hi there'), result.stdout);
  });

  itWith(['run'], "reads files from the container's rootfs, and only from it", async () => {
    const ok = await runWasm('read-ok', wasmImage('read'), ['/read.wasm', greetingFile.path]);
    assert.equal(ok.code, 0, explain(ok));
    assert.equal(ok.stdout, greetingFile.data);
    // the host's /etc/hostname exists; the container's does not, however many ../ lead there
    assert.ok(fs.existsSync('/etc/hostname'));
    const escape = await runWasm('read-escape', wasmImage('read'), [
      '/read.wasm',
      '/../../../../etc/hostname',
    ]);
    assert.equal(escape.code, 1, explain(escape));
    assert.equal(escape.stdout, '');
    assert.match(escape.stderr, /path_open failed: errno (44|63|76)/, explain(escape)); // noent, perm, notcapable
  });

  itWith(['run'], 'preopens a bind mount at its destination (ctr run --mount)', async () => {
    const volume = path.join(containerd.dir, 'volume');
    fs.mkdirSync(volume, { recursive: true });
    fs.writeFileSync(path.join(volume, 'note.txt'), 'from a host volume\n');
    const result = await runWasm(
      'read-mount',
      wasmImage('read'),
      ['/read.wasm', '/data/note.txt'],
      undefined,
      ['--mount', `type=bind,src=${volume},dst=/data,options=rbind:ro`],
    );
    assert.equal(result.code, 0, explain(result));
    assert.equal(result.stdout, 'from a host volume\n');
  });

  itWith(['run'], 'reports a trap as 137 with the trap and a backtrace on stderr', async () => {
    const result = await runWasm('trap', wasmImage('trap'), []);
    assert.equal(result.code, 137, explain(result));
    assert.equal(result.stdout, 'about to trap\n');
    assert.match(result.stderr, /unreachable/, explain(result));
    assert.match(result.stderr, /explode[\s\S]*about_to_trap/, explain(result));
  });

  itWith(
    ['run'],
    'stops a module at the memory limit with 137 and a /tasks/oom event',
    async () => {
      const events = containerd.ctrBackground(['events']);
      try {
        await sleep(200); // let ctr events subscribe
        const limit = 32 * 1024 * 1024;
        const result = await runWasm('grow', wasmImage('grow'), ['/grow.wasm', '256'], undefined, [
          '--memory-limit',
          String(limit),
        ]);
        assert.equal(result.code, 137, explain(result));
        const grown = [...result.stdout.matchAll(/grew to (\d+) MiB/g)].map((m) => Number(m[1]));
        assert.ok(grown.length > 0, explain(result));
        assert.ok(
          Math.max(...grown) <= 32,
          `grew to ${Math.max(...grown)} MiB past a 32 MiB limit`,
        );
        await events.waitForOutput(/\/tasks\/oom/, 5000);
      } finally {
        events.kill();
      }
    },
  );

  itWith(['run'], 'refuses an entry that is not Wasm with an error naming the file', async () => {
    const result = await runWasm('not-wasm', notWasmImage, []);
    assert.notEqual(result.code, 0, explain(result));
    assert.match(result.stderr, /readme\.txt/, explain(result));
    assert.match(result.stderr, /wasm|WebAssembly/i, explain(result));
  });

  itWith(['run'], 'leaves no container, task, shim process or mount behind', async () => {
    const result = await runWasm('hello-clean', wasmImage('hello'), []);
    assert.equal(result.code, 0, explain(result));
    assert.deepEqual([...(await containerd.tasks()).keys()], []);
    const containers = await containerd.ctrOk(['container', 'ls', '-q']);
    assert.equal(containers.stdout.trim(), '');
    await until('the shim daemon to exit', () =>
      containerd.shimProcesses().length === 0 ? true : undefined,
    );
    assert.deepEqual(mountsUnder(containerd.dir), []);
    const bundles = `${containerd.dir}/state/io.containerd.runtime.v2.task/${containerd.namespace}`;
    assert.deepEqual(fs.existsSync(bundles) ? fs.readdirSync(bundles) : [], []);
  });
});
