// config.json → run plan, on bundles made in a temporary directory.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, parseConfig, parseProcess, readBundleConfig } from '../config';
import { PlanError, planExec, planFromSpec, resolveInRoot } from '../plan';

const wasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function makeBundle(config: object, files: Record<string, Buffer | string> = {}): string {
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-oci-'));
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
  fs.mkdirSync(path.join(bundle, 'rootfs'));
  for (const [name, content] of Object.entries(files)) {
    const host = path.join(bundle, 'rootfs', name);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    fs.writeFileSync(host, content);
  }
  return bundle;
}

describe('oci: config.json to run plan', () => {
  const bundles: string[] = [];
  after(() => bundles.forEach((b) => fs.rmSync(b, { recursive: true, force: true })));
  const bundle = (config: object, files: Record<string, Buffer | string> = {}) => {
    const b = makeBundle(config, files);
    bundles.push(b);
    return b;
  };

  it('reads args, env, cwd, rootfs, preopen, memory limit and annotations', () => {
    const b = bundle(
      {
        process: { args: ['/app.wasm', 'x', 'y'], env: ['A=1', 'B=two=2', 'C'], cwd: '/data' },
        root: { path: 'rootfs' },
        annotations: {
          'io.kubernetes.cri.container-type': 'container',
          'io.kubernetes.cri.sandbox-id': 'sb1',
          'io.containerd.tswasm.v1.group': 'g1',
        },
        linux: { resources: { memory: { limit: 64 << 20 } } },
      },
      { 'app.wasm': wasm },
    );
    const plan = planFromSpec(readBundleConfig(b), b);
    const rootfs = path.join(b, 'rootfs');
    assert.equal(plan.rootfs, rootfs);
    assert.deepEqual(plan.preopens, { '/': rootfs });
    assert.equal(plan.memoryLimit, 64 << 20);
    assert.equal(plan.containerType, 'container');
    assert.equal(plan.sandboxId, 'sb1');
    assert.equal(plan.group, 'g1');
    assert.deepEqual(plan.process, {
      args: ['/app.wasm', 'x', 'y'],
      env: { A: '1', B: 'two=2', C: '' },
      cwd: '/data',
      entryPath: path.join(rootfs, 'app.wasm'),
    });
  });

  it('finds a bare entry name through PATH from the env', () => {
    const b = bundle(
      { process: { args: ['hello'], env: ['PATH=/nope:/opt/bin'] }, root: { path: 'rootfs' } },
      { 'opt/bin/hello': wasm, 'usr/bin/hello': 'not wasm' },
    );
    const plan = planFromSpec(readBundleConfig(b), b);
    assert.equal(plan.process?.entryPath, path.join(b, 'rootfs/opt/bin/hello'));
    assert.equal(plan.memoryLimit, undefined);
  });

  it('uses the default PATH when env has none', () => {
    const b = bundle({ process: { args: ['hello'] } }, { 'usr/bin/hello': wasm });
    assert.equal(
      planFromSpec(readBundleConfig(b), b).process?.entryPath,
      path.join(b, 'rootfs/usr/bin/hello'),
    );
  });

  it('fails naming the file when the entry is not Wasm', () => {
    const b = bundle({ process: { args: ['/bin/sh'] } }, { 'bin/sh': '#!/bin/sh\necho hi\n' });
    assert.throws(
      () => planFromSpec(readBundleConfig(b), b),
      (err: Error) => {
        assert.ok(err instanceof PlanError);
        assert.match(err.message, /entry \/bin\/sh .* is not a WebAssembly module/);
        return true;
      },
    );
  });

  it('fails naming the file when the entry is missing', () => {
    const b = bundle({ process: { args: ['/missing.wasm'] } });
    assert.throws(() => planFromSpec(readBundleConfig(b), b), /entry \/missing\.wasm not found/);
    const c = bundle({ process: { args: ['ghost'], env: ['PATH=/bin'] } });
    assert.throws(
      () => planFromSpec(readBundleConfig(c), c),
      /entry ghost not found in PATH \(\/bin\)/,
    );
  });

  it('does not let a symlink lead the entry out of the rootfs', () => {
    const outside = bundle({}, {});
    fs.writeFileSync(path.join(outside, 'evil.wasm'), wasm);
    const b = bundle({ process: { args: ['/link.wasm'] } });
    fs.symlinkSync(path.join(outside, 'evil.wasm'), path.join(b, 'rootfs/link.wasm'));
    assert.throws(() => planFromSpec(readBundleConfig(b), b), PlanError);
    // an absolute link is followed inside the rootfs
    fs.writeFileSync(path.join(b, 'rootfs/real.wasm'), wasm);
    fs.symlinkSync('/real.wasm', path.join(b, 'rootfs/abs.wasm'));
    assert.equal(
      resolveInRoot(path.join(b, 'rootfs'), '/abs.wasm'),
      path.join(b, 'rootfs/real.wasm'),
    );
    assert.equal(
      resolveInRoot(path.join(b, 'rootfs'), '/../../real.wasm'),
      path.join(b, 'rootfs/real.wasm'),
    );
  });

  it('preopens bind-mounted directories (volumes) where the spec puts them', () => {
    const volume = bundle({}, {});
    const b = bundle(
      {
        process: { args: ['/app.wasm'] },
        mounts: [
          { destination: '/proc', type: 'proc', source: 'proc' },
          { destination: '/data/', type: 'bind', source: volume, options: ['rbind', 'rw'] },
          { destination: '/cache', source: volume, options: ['bind'] },
          { destination: '/etc/hosts', type: 'bind', source: path.join(volume, 'config.json') },
          { destination: '/dev/shm', type: 'tmpfs', source: 'shm' },
          { destination: '/gone', type: 'bind', source: path.join(volume, 'missing') },
        ],
      },
      { 'app.wasm': wasm },
    );
    const plan = planFromSpec(readBundleConfig(b), b);
    assert.deepEqual(plan.preopens, {
      '/': path.join(b, 'rootfs'),
      '/data': volume,
      '/cache': volume,
    });
  });

  it('plans a CRI sandbox without a module', () => {
    const b = bundle({
      process: { args: ['/pause'] },
      annotations: {
        'io.kubernetes.cri.container-type': 'sandbox',
        'io.kubernetes.cri.sandbox-id': 'sb',
      },
    });
    const plan = planFromSpec(readBundleConfig(b), b);
    assert.equal(plan.containerType, 'sandbox');
    assert.equal(plan.process, undefined);
  });

  it('plans an exec in the same rootfs', () => {
    const b = bundle({ process: { args: ['/a.wasm'] } }, { 'a.wasm': wasm, 'b.wasm': wasm });
    const plan = planFromSpec(readBundleConfig(b), b);
    const exec = planExec(parseProcess('{"args":["/b.wasm","-v"],"cwd":"/"}'), plan);
    assert.equal(exec.entryPath, path.join(b, 'rootfs/b.wasm'));
    assert.deepEqual(exec.args, ['/b.wasm', '-v']);
    assert.throws(() => planExec(parseProcess('{}'), plan), ConfigError);
  });

  it('rejects a config.json of the wrong shape', () => {
    assert.throws(() => parseConfig('[]'), /not a JSON object/);
    assert.throws(() => parseConfig('{"process":{"args":"x"}}'), /process.args must be an array/);
    assert.throws(() => parseConfig('{'), /not valid JSON/);
    assert.throws(() => readBundleConfig('/nonexistent-bundle'), /cannot read .*config.json/);
  });
});
