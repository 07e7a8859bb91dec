// deploy/install.sh on a scratch prefix and config: it installs working shim wrappers, adds
// the tswasm runtime to a containerd config that containerd itself then reads back, and a
// second run changes nothing.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Background, repoRoot, run, until } from './harness';

describe('deploy/install.sh', function () {
  this.timeout(60_000);
  let dir: string;
  const install = (...args: string[]) =>
    run('bash', [path.join(repoRoot, 'deploy', 'install.sh'), ...args], { timeoutMs: 30_000 });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-deploy-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs runnable shim binaries and extends an existing version 2 config once', async () => {
    const prefix = path.join(dir, 'prefix');
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(
      config,
      'version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n    sandbox_image = "registry.k8s.io/pause:3.9"\n',
    );
    const first = await install('--prefix', prefix, '--config', config);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /added the tswasm runtime/);

    const help = await run(path.join(prefix, 'bin', 'containerd-shim-tswasm-v1'), ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: containerd-shim-tswasm-v1/);
    const alias = await run(path.join(prefix, 'bin', 'tswasm'), ['--help']);
    assert.equal(alias.code, 0, alias.stderr);

    const written = fs.readFileSync(config, 'utf8');
    const second = await install('--prefix', prefix, '--config', config);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /binaries up to date/);
    assert.match(second.stdout, /already has the tswasm runtime/);
    assert.equal(fs.readFileSync(config, 'utf8'), written, 'second run changed the config');

    // containerd itself parses the result and keeps the runtime next to the existing settings
    const dump = await run('containerd', ['--config', config, 'config', 'dump']);
    assert.equal(dump.code, 0, dump.stderr);
    const tables = dump.stdout.split(/\n\s*\[/); // each table: its header, then its keys
    const runtime = tables.find((table) =>
      table.startsWith('plugins."io.containerd.grpc.v1.cri".containerd.runtimes.tswasm]'),
    );
    assert.match(runtime ?? '', /\bruntime_type = "io\.containerd\.tswasm\.v1"/, dump.stdout);
    assert.match(dump.stdout, /sandbox_image = "registry\.k8s\.io\/pause:3\.9"/);
  });

  it('creates a config when there is none, in the version the local containerd speaks', async () => {
    const config = path.join(dir, 'etc', 'config.toml');
    const result = await install('--prefix', path.join(dir, 'prefix'), '--config', config);
    assert.equal(result.code, 0, result.stderr);
    const text = fs.readFileSync(config, 'utf8');
    assert.match(text, /^version = 2\n/); // Debian's containerd is 1.6
    assert.match(text, /runtime_type = "io\.containerd\.tswasm\.v1"/);
  });

  it('leaves a config on which containerd loads the CRI plugin with the tswasm runtime', async () => {
    // a minimal config: the appended runtimes table must not lose runc, the CRI default
    const config = path.join(dir, 'config.toml');
    const socket = path.join(dir, 'c.sock');
    fs.writeFileSync(
      config,
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        '[grpc]',
        `  address = "${socket}"`,
        '[ttrpc]',
        `  address = "${socket}.ttrpc"`,
        '',
      ].join('\n'),
    );
    const result = await install('--prefix', path.join(dir, 'prefix'), '--config', config);
    assert.equal(result.code, 0, result.stderr);
    const containerd = new Background('containerd', ['--config', config]);
    try {
      const plugins = await until(
        'containerd to answer',
        async () => {
          const ls = await run('ctr', ['-a', socket, 'plugins', 'ls']);
          return ls.code === 0 ? ls.stdout : undefined;
        },
        20_000,
        100,
      );
      assert.match(plugins, /io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok/, containerd.stderr);
    } finally {
      containerd.kill('SIGTERM');
      await containerd.wait(10_000);
    }
  });

  it('refuses a config version it does not know', async () => {
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(config, 'root = "/var/lib/containerd"\n'); // version 1: no version line
    const result = await install('--prefix', path.join(dir, 'prefix'), '--config', config);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config version 1/);
  });
});
