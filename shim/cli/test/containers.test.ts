// `tswasm-shim run` on OCI bundles and OCI images (layout directories and tars) built here:
// output and exit status of each run, and the exact complaint for each broken input.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli, engines, fixture, tempDir } from '../../../wasi/test/harness';
import { LayoutToWrite, writeLayoutDir, writeLayoutTar } from '../../../oci/image-writer';

const hello = fs.readFileSync(fixture('wasi_hello'));
const grow = fs.readFileSync(fixture('shim_grow'));

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(cli, ['run', ...args], { encoding: 'utf8', env });
}

/** A bundle directory: config.json from `spec` (or the text given) and rootfs files. */
function makeBundle(
  dir: string,
  spec: object | string | undefined,
  files: Record<string, Buffer | string> = { 'bin/hello': hello },
): string {
  fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    const file = path.join(dir, 'rootfs', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  }
  if (spec !== undefined)
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      typeof spec === 'string' ? spec : JSON.stringify(spec),
    );
  return dir;
}

function helloSpec(process: object, extra: object = {}): object {
  return { ociVersion: '1.0.2', root: { path: 'rootfs' }, process, ...extra };
}

/** An image whose tar layer holds the hello module and a file to read. */
function helloImage(name: string, config: object): LayoutToWrite['images'][number] {
  return {
    name,
    platform: { os: 'wasip1', architecture: 'wasm' },
    config,
    layers: [
      {
        kind: 'tar',
        gzip: true,
        entries: [
          { path: 'bin', type: 'directory' },
          { path: 'bin/hello', data: hello, mode: 0o755 },
          { path: 'etc/greeting', data: 'from the image\n' },
          { path: 'etc/secret', data: 'lower layer\n' },
        ],
      },
      // an upper layer deleting a lower file (whiteout) and adding one
      {
        kind: 'tar',
        entries: [
          { path: 'etc/.wh.secret', data: '' },
          { path: 'etc/upper', data: 'upper layer\n' },
        ],
      },
    ],
  };
}

describe('tswasm-shim run BUNDLE', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('cli-bundle')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs process.args from PATH in the rootfs, with env, bind mounts and ARGS appended', () => {
    const data = path.join(dir, 'volume');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'v.txt'), 'from a volume\n');
    const bundle = makeBundle(
      path.join(dir, 'b'),
      helloSpec(
        { args: ['hello', '--read', '/etc/motd', 'x'], env: ['PATH=/usr/bin:/bin', 'A=1'] },
        { mounts: [{ destination: '/mnt', type: 'bind', source: data, options: ['rbind'] }] },
      ),
      { 'bin/hello': hello, 'etc/motd': 'in the rootfs\n' },
    );
    const result = run(['--env', 'B=2', bundle, '--read', '/mnt/v.txt', '--exit', '7']);
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      'hello from wasm\nread: in the rootfs\narg 3: x\nread: from a volume\n',
    );
    assert.equal(result.status, 7);
    // without ARGS: the spec alone, env in spec order then --env
    const plain = run(['--env', 'B=2', bundle]);
    assert.equal(
      plain.stdout,
      'hello from wasm\nread: in the rootfs\narg 3: x\nenv: PATH=/usr/bin:/bin\nenv: A=1\nenv: B=2\n',
    );
    assert.equal(plain.status, 0);
  });

  it('exits 134 on a trap and 1 on proc_exit(200), with wasmtime wording', () => {
    const bundle = makeBundle(dir, helloSpec({ args: ['/bin/hello'] }));
    const trap = run([bundle, '--trap']);
    assert.equal(trap.status, 134);
    assert.match(trap.stderr, /failed to run main module `.*rootfs\/bin\/hello`/);
    assert.match(trap.stderr, /wasm trap: .*unreachable/);
    const reserved = run([bundle, '--exit', '200']);
    assert.equal(reserved.status, 1);
    assert.match(reserved.stderr, /exit with invalid exit status outside of \[0\.\.126\)/);
    assert.equal(run([bundle, '--exit', '125']).status, 125);
  });

  it('enforces linux.resources.memory.limit as the shim does (137), and --memory-limit', () => {
    const limited = makeBundle(
      path.join(dir, 'limited'),
      helloSpec(
        { args: ['/grow'] },
        { linux: { resources: { memory: { limit: 16 * 1024 * 1024 } } } },
      ),
      { grow },
    );
    for (const { name: engine } of engines()) {
      const result = run(['--engine', engine, limited]);
      assert.equal(result.status, 137, `${engine}: ${result.stderr}`);
      assert.match(result.stderr, /^tswasm: memory limit of 16777216 bytes exceeded$/m);
      assert.match(result.stdout, /^8 MiB$/m); // it ran up to the limit
      assert.doesNotMatch(result.stdout, /24 MiB|allocated 1 GiB/);
    }
    // the flag overrides the spec
    const flagged = run(['--memory-limit', '8M', limited]);
    assert.equal(flagged.status, 137);
    assert.match(flagged.stderr, /memory limit of 8388608 bytes exceeded/);
  });

  for (const [what, setup, message] of [
    [
      'no config.json',
      (d: string) => makeBundle(d, undefined),
      /is a directory but neither an OCI bundle \(no config\.json\) nor an OCI image layout/,
    ],
    [
      'config.json that is not JSON',
      (d: string) => makeBundle(d, '{"process": '),
      /config\.json is not valid JSON/,
    ],
    [
      'an entry missing from the rootfs',
      (d: string) => makeBundle(d, helloSpec({ args: ['nothere'], env: ['PATH=/bin'] })),
      /entry nothere not found in PATH \(\/bin\) of the container's rootfs/,
    ],
    [
      'an entry that is not Wasm',
      (d: string) =>
        makeBundle(d, helloSpec({ args: ['/bin/sh'] }), { 'bin/sh': '#!/bin/sh\necho hi\n' }),
      /entry \/bin\/sh \(.*rootfs\/bin\/sh\) is not a WebAssembly module/,
    ],
    [
      'empty process.args',
      (d: string) => makeBundle(d, helloSpec({ args: [] })),
      /process\.args is empty: nothing to run/,
    ],
    [
      'a CRI sandbox container',
      (d: string) =>
        makeBundle(
          d,
          helloSpec(
            { args: ['/pause'] },
            { annotations: { 'io.kubernetes.cri.container-type': 'sandbox' } },
          ),
        ),
      /is a CRI sandbox \(pause\) container: it runs no module/,
    ],
  ] as const) {
    it(`a bundle with ${what} is refused with exit 1`, () => {
      const bundle = setup(path.join(dir, 'bad'));
      const result = run([bundle]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }

  it('--invoke and --platform do not apply to a bundle', () => {
    const bundle = makeBundle(dir, helloSpec({ args: ['/bin/hello'] }));
    const invoke = run(['--invoke', 'add', bundle, '1', '2']);
    assert.equal(invoke.status, 2);
    assert.match(invoke.stderr, /--invoke runs a module's export; .* is a bundle/);
    const platform = run(['--platform', 'wasip1/wasm', bundle]);
    assert.equal(platform.status, 1);
    assert.match(platform.stderr, /--platform applies to images only/);
  });
});

describe('tswasm-shim run IMAGE', () => {
  let dir: string;
  /** TMPDIR for the CLI, so that each test can check the unpacked rootfs was removed. */
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = tempDir('cli-image');
    tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    env = { ...process.env, TMPDIR: tmp };
  });
  afterEach(() => {
    assert.deepEqual(fs.readdirSync(tmp), [], 'the temporary rootfs is removed after the run');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = {
    Entrypoint: ['/bin/hello'],
    Cmd: ['--read', '/etc/greeting'],
    Env: ['PATH=/bin', 'FROM=image'],
    WorkingDir: '/etc',
  };

  it('runs a tar (as ctr image export writes): entrypoint + cmd, env, layers and whiteouts', async () => {
    const tar = path.join(dir, 'hello.tar');
    fs.writeFileSync(
      tar,
      await writeLayoutTar({ images: [helloImage('docker.io/library/hello:1', config)] }),
    );
    // a rootfs left by a killed run (its pid is gone) is swept; one of a live run is kept
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    for (const [name, pid] of [
      ['tswasm-image-dead', dead],
      ['tswasm-image-live', process.pid],
    ] as const) {
      fs.mkdirSync(path.join(tmp, name, 'rootfs'), { recursive: true });
      fs.writeFileSync(path.join(tmp, name, 'pid'), String(pid));
    }
    const result = run(['--env', 'EXTRA=1', tar], env);
    assert.deepEqual(fs.readdirSync(tmp), ['tswasm-image-live']);
    fs.rmSync(path.join(tmp, 'tswasm-image-live'), { recursive: true });
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      'hello from wasm\nread: from the image\nenv: PATH=/bin\nenv: FROM=image\nenv: EXTRA=1\n',
    );
    assert.equal(result.status, 0);
    // ARGS replace Cmd and follow the Entrypoint
    const override = run(
      [tar, '--read', '/etc/upper', '--read', '/etc/secret', '--exit', '9'],
      env,
    );
    assert.equal(
      override.stdout,
      'hello from wasm\nread: upper layer\ncannot open /etc/secret\n', // whited out
    );
    assert.equal(override.status, 9);
  });

  it('picks the Wasm platform of a multi-platform layout directory; --platform, @REF', async () => {
    const layout = path.join(dir, 'layout');
    await writeLayoutDir(
      {
        multiPlatform: { name: 'example.com/multi:latest' },
        images: [
          {
            platform: { os: 'linux', architecture: 'amd64' },
            config: { Entrypoint: ['/bin/sh'] },
            layers: [{ kind: 'tar', entries: [{ path: 'bin/sh', data: '\x7fELF...' }] }],
          },
          helloImage('', { ...config, Cmd: ['wasm platform'] }),
        ],
      },
      layout,
    );
    const picked = run([layout], env);
    assert.equal(
      picked.stdout,
      'hello from wasm\narg 1: wasm platform\nenv: PATH=/bin\nenv: FROM=image\n',
    );
    assert.equal(picked.status, 0, picked.stderr);
    const byRef = run([`${layout}@example.com/multi:latest`, 'by', 'ref'], env);
    assert.equal(byRef.status, 0, byRef.stderr);
    assert.match(byRef.stdout, /arg 1: by\narg 2: ref\n/);

    const linux = run(['--platform', 'linux/amd64', layout], env);
    assert.equal(linux.status, 1);
    assert.match(linux.stderr, /entry \/bin\/sh \(.*\/bin\/sh\) is not a WebAssembly module/);
    const unknown = run(['--platform', 'wasi/wasm', layout], env);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no manifest for wasi\/wasm \(found linux\/amd64, wasip1\/wasm\)/);
    const noRef = run([`${layout}@nope`], env);
    assert.equal(noRef.status, 1);
    assert.match(noRef.stderr, /no image named "nope" \(it has example\.com\/multi:latest\)/);
  });

  it('runs a Wasm-layer image (no entrypoint: the module is the entry; ARGS are its args)', async () => {
    const tar = path.join(dir, 'wasm-layer.tar');
    fs.writeFileSync(
      tar,
      await writeLayoutTar({
        images: [
          {
            name: 'example.com/module:v1',
            platform: { os: 'wasip1', architecture: 'wasm' },
            config: { Env: ['K=V'] },
            layers: [{ kind: 'wasm', data: hello, title: 'hello.wasm' }],
          },
        ],
      }),
    );
    const result = run([`${tar}@v1`, 'one', '--exit', '4'], env);
    assert.equal(result.stdout, 'hello from wasm\narg 1: one\n');
    assert.equal(result.status, 4, result.stderr);
  });

  it('broken inputs: damaged tar, missing blob, no Wasm entry, nothing to run', async () => {
    const broken = path.join(dir, 'broken.tar');
    fs.writeFileSync(broken, Buffer.alloc(1024, 0x41));
    let result = run([broken], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Error: image .*broken\.tar: /);
    assert.match(result.stderr, /not a readable OCI image archive|no index\.json/);

    const full = await writeLayoutTar({ images: [helloImage('x', config)] });
    const truncated = path.join(dir, 'truncated.tar');
    fs.writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    result = run([truncated], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Error: image .*truncated\.tar: /);

    const layout = path.join(dir, 'layout');
    await writeLayoutDir({ images: [helloImage('x', config)] }, layout);
    const blobs = path.join(layout, 'blobs', 'sha256');
    const biggest = fs
      .readdirSync(blobs)
      .sort(
        (a, b) => fs.statSync(path.join(blobs, b)).size - fs.statSync(path.join(blobs, a)).size,
      )[0];
    fs.rmSync(path.join(blobs, biggest));
    result = run([layout], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`blob sha256:${biggest} is missing`));

    const notWasm = path.join(dir, 'script.tar');
    fs.writeFileSync(
      notWasm,
      await writeLayoutTar({
        images: [
          {
            platform: { os: 'wasip1', architecture: 'wasm' },
            config: { Cmd: ['/run.sh'] },
            layers: [{ kind: 'tar', entries: [{ path: 'run.sh', data: 'echo hi\n' }] }],
          },
        ],
      }),
    );
    result = run([notWasm], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /entry \/run\.sh \(.*\/run\.sh\) is not a WebAssembly module/);

    const empty = path.join(dir, 'empty.tar');
    fs.writeFileSync(
      empty,
      await writeLayoutTar({
        images: [
          {
            platform: { os: 'wasip1', architecture: 'wasm' },
            layers: [{ kind: 'tar', entries: [{ path: 'etc/x', data: 'x' }] }],
          },
        ],
      }),
    );
    result = run([empty], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /names nothing to run \(no Entrypoint or Cmd/);
  });
});
