// Sockets handed in as host fds (`sockets: [fd]`, what an embedder such as the shim passes):
// a child process listens, gives the listening fd to WASI and runs fixtures/wasi_sock.c
// synchronously on each engine; this process is the client.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { engines, fixture, repo } from './harness';

/** The child: listen on an ephemeral port, print it, run the echo server module on that fd. */
const childScript = `
const net = require('net');
const fs = require('fs');
const [wasiPath, runtimePath, engineName, wasm] = process.argv.slice(1);
const { WASI } = require(wasiPath);
const api = engineName === 'v8' ? WebAssembly : require(runtimePath).WebAssembly;
const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  const wasi = new WASI({ args: ['wasi_sock'], sockets: [server._handle.fd] });
  process.stdout.write('port ' + server.address().port + '\\n');
  const instance = new api.Instance(new api.Module(fs.readFileSync(wasm)), wasi.getImportObject());
  const code = wasi.start(instance);
  process.exit(code);
});
`;

for (const engine of engines()) {
  describe(`WASI sockets from host fds (${engine.name})`, () => {
    it('accepts on an inherited listening fd, receives, sends and shuts down', async function () {
      this.timeout(30_000);
      const child = spawn(
        process.execPath,
        [
          '-e',
          childScript,
          path.join(repo, 'dist', 'wasi', 'index.js'),
          path.join(repo, 'dist', 'runtime', 'index.js'),
          engine.name,
          fixture('wasi_sock'),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /port (\d+)\n/.exec(output);
          if (match) {
            clearInterval(timer);
            resolve(Number(match[1]));
          }
        }, 10);
        child.on('exit', () => reject(new Error(`child exited early: ${output}`)));
      });
      const socket = net.connect(port, '127.0.0.1');
      socket.end('ping from the host\n');
      const answer = await new Promise<string>((resolve, reject) => {
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.equal(answer, 'PING FROM THE HOST\n');
      assert.equal(await exited, 0);
      assert.match(output, /listening\nserved 19 bytes\n\d+ checks, 0 failed\n/);
    });
  });
}
