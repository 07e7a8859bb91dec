// The daemon's log: logrus-style lines into the bundle's `log` FIFO, per container when a
// daemon is shared, debug lines only with -debug, and never blocking on a full FIFO.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { openLogger } from '../log';
import { tempDir } from './harness';

function fifo(dir: string): { file: string; read: () => string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'log');
  assert.equal(spawnSync('mkfifo', [file]).status, 0);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return {
    file,
    read: () => {
      const buffer = Buffer.alloc(1 << 20);
      try {
        return buffer.toString('utf8', 0, fs.readSync(fd, buffer));
      } catch {
        return '';
      }
    },
  };
}

describe('shim daemon log', () => {
  let root: string;
  before(() => (root = tempDir('tswasm-log-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes lines to the daemon bundle, and a container attached to its own bundle', () => {
    const own = fifo(path.join(root, 'a'));
    const other = fifo(path.join(root, 'b'));
    const logger = openLogger(own.file, false);
    logger.attach('b', path.dirname(other.file));
    logger.log('info', 'daemon says "hi"');
    logger.log('warn', 'container b trapped', 'b');
    logger.log('info', 'unknown container goes to the daemon log', 'zzz');
    logger.log('debug', 'hidden without -debug');
    const ownText = own.read();
    assert.match(
      ownText,
      /^time="[^"]+" level=info msg="daemon says \\"hi\\"" runtime=io.containerd.tswasm.v1\n/,
    );
    assert.match(ownText, /msg="unknown container goes to the daemon log" id="zzz"/);
    assert.doesNotMatch(ownText, /hidden/);
    assert.match(other.read(), /level=warn msg="container b trapped" id="b"/);
    logger.detach('b');
    logger.log('info', 'after detach', 'b');
    assert.match(own.read(), /after detach/);
    logger.close();
  });

  it('drops lines instead of blocking when nobody reads a full FIFO', () => {
    const own = fifo(path.join(root, 'full'));
    const logger = openLogger(own.file, true);
    const t0 = Date.now();
    for (let i = 0; i < 5000; i++) logger.log('debug', 'x'.repeat(100));
    assert.ok(Date.now() - t0 < 5000);
    assert.ok(own.read().length <= 1 << 20);
    logger.close();
  });
});
