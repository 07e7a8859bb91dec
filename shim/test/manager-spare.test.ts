// Spare daemons' socket hand-over (manager/spare.ts) on a plain listening socket: a claim renames
// the spare's socket to the container's and the listener answers there; a claim and a release
// exclude each other; a spare whose pid is gone is not claimed.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { claimSpare, releaseSpare, sparePathFor } from '../manager/spare';
import { socketAnswers } from '../ttrpc';
import { tempDir } from './harness';

describe('spare daemon sockets', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  const servers: net.Server[] = [];

  beforeEach(() => {
    root = tempDir('tswasm-spare-');
    env = { TSWASM_SOCKET_DIR: root };
  });

  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A listening socket at the spare's path, with `pid` in its pid file. */
  async function fakeSpare(pid: number): Promise<string> {
    const spare = sparePathFor('/run/c.sock', 'ns', env);
    const server = net.createServer((socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(spare, resolve));
    fs.writeFileSync(`${spare}.pid`, `${pid}\n`);
    return spare;
  }

  it('names one socket per containerd and namespace, in the socket folder', () => {
    const spare = sparePathFor('/run/c.sock', 'ns', env);
    assert.match(spare, new RegExp(`^${root}/[0-9a-f]{64}$`));
    assert.equal(sparePathFor('/run/c.sock', 'ns', env), spare);
    assert.notEqual(sparePathFor('/run/c.sock', 'other', env), spare);
    assert.notEqual(sparePathFor('/run/d.sock', 'ns', env), spare);
  });

  it('claims a live spare: its listener answers at the new path, once', async () => {
    const spare = await fakeSpare(process.pid);
    const mine = path.join(root, 'container');
    assert.ok(claimSpare('/run/c.sock', 'ns', mine, env));
    assert.ok(!fs.existsSync(spare));
    assert.ok(await socketAnswers(mine));
    // gone: a second claim and the spare's own release both fail
    assert.ok(!claimSpare('/run/c.sock', 'ns', path.join(root, 'other'), env));
    assert.ok(!releaseSpare(spare));
  });

  it('releases an unclaimed spare, which then cannot be claimed', async () => {
    const spare = await fakeSpare(process.pid);
    assert.ok(releaseSpare(spare));
    assert.ok(!fs.existsSync(spare));
    assert.ok(!fs.existsSync(`${spare}.pid`));
    assert.ok(!claimSpare('/run/c.sock', 'ns', path.join(root, 'container'), env));
  });

  it('does not claim a spare whose process is gone', async () => {
    // a pid no process has: past the kernel's pid_max
    const spare = await fakeSpare(2 ** 22 + 1);
    assert.ok(!claimSpare('/run/c.sock', 'ns', path.join(root, 'container'), env));
    assert.ok(fs.existsSync(spare));
  });
});
