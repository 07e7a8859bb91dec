// Unpacking image layers into a directory: layer order, gzip, whiteouts and opaque
// directories, symlinks and hard links, Wasm blob layers, and paths that try to leave the root.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MediaType } from '../image-layout';
import { ImageLayout, parsePlatform } from '../image-reader';
import { applyLayer, secureJoin, unpackImage } from '../image-unpack';
import { LayerEntry, LayerToWrite, tarEntries, writeLayoutDir } from '../image-writer';

const wasmBytes = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('oci image unpack', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-unpack-'));
    root = path.join(dir, 'rootfs');
    fs.mkdirSync(root);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function unpack(layers: LayerToWrite[]) {
    const layoutDir = path.join(dir, 'layout');
    await writeLayoutDir(
      { images: [{ platform: parsePlatform('wasip1/wasm'), layers }] },
      layoutDir,
    );
    const layout = await ImageLayout.open(layoutDir);
    return unpackImage(layout, layout.resolve(), root);
  }
  const read = (relative: string) => fs.readFileSync(path.join(root, relative), 'utf8');
  const exists = (relative: string) => fs.existsSync(path.join(root, relative));
  const tarLayer = (entries: LayerEntry[], gzip = false): LayerToWrite => ({
    kind: 'tar',
    entries,
    gzip,
  });

  it('applies tar layers in order, gzipped or not, with modes', async () => {
    await unpack([
      tarLayer(
        [
          { path: 'app', type: 'directory', mode: 0o750 },
          { path: 'app/main.wasm', data: wasmBytes, mode: 0o755 },
          { path: 'app/config', data: 'v1' },
        ],
        true,
      ),
      tarLayer([{ path: 'app/config', data: 'v2' }]),
    ]);
    assert.equal(read('app/config'), 'v2');
    assert.deepEqual(fs.readFileSync(path.join(root, 'app/main.wasm')), wasmBytes);
    assert.equal(fs.statSync(path.join(root, 'app/main.wasm')).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join(root, 'app')).mode & 0o777, 0o750);
  });

  it('deletes whited-out files and directories from lower layers', async () => {
    await unpack([
      tarLayer([
        { path: 'a/keep', data: '1' },
        { path: 'a/gone', data: '2' },
        { path: 'b/deep/file', data: '3' },
      ]),
      tarLayer([
        { path: 'a/.wh.gone', data: '' },
        { path: '.wh.b', data: '' },
      ]),
    ]);
    assert.equal(read('a/keep'), '1');
    assert.ok(!exists('a/gone'));
    assert.ok(!exists('a/.wh.gone'));
    assert.ok(!exists('b'));
  });

  it('empties an opaque directory of lower content but keeps what its own layer adds', async () => {
    await unpack([
      tarLayer([
        { path: 'etc/old1', data: '1' },
        { path: 'etc/sub/old2', data: '2' },
        { path: 'other', data: '3' },
      ]),
      // the new file comes before the marker in the tar: order within a layer does not matter
      tarLayer([
        { path: 'etc/new', data: '4' },
        { path: 'etc/.wh..wh..opq', data: '' },
      ]),
    ]);
    assert.deepEqual(fs.readdirSync(path.join(root, 'etc')), ['new']);
    assert.equal(read('other'), '3');
  });

  it('writes Wasm blob layers as files named by their title', async () => {
    const result = await unpack([
      tarLayer([{ path: 'data.txt', data: 'x' }]),
      { kind: 'wasm', data: wasmBytes, title: 'app.wasm' },
      { kind: 'wasm', data: wasmBytes, mediaType: MediaType.wasm, title: '../escape.wasm' },
    ]);
    assert.deepEqual(fs.readFileSync(path.join(root, 'app.wasm')), wasmBytes);
    assert.equal(result.wasmModules.length, 2);
    assert.equal(result.wasmModules[0].path, '/app.wasm');
    // an unsafe title falls back to a name from the digest, inside the root
    assert.match(result.wasmModules[1].path, /^\/[0-9a-f]{12}\.wasm$/);
    assert.ok(exists(result.wasmModules[1].path));
    assert.ok(!fs.existsSync(path.join(dir, 'escape.wasm')));
  });

  it('makes symlinks and hard links', async () => {
    await unpack([
      tarLayer([
        { path: 'bin/real', data: 'r' },
        { path: 'bin/soft', type: 'symlink', linkname: 'real' },
        { path: 'bin/hard', type: 'link', linkname: 'bin/real' },
      ]),
    ]);
    assert.equal(fs.readlinkSync(path.join(root, 'bin/soft')), 'real');
    assert.equal(read('bin/hard'), 'r');
    assert.equal(
      fs.statSync(path.join(root, 'bin/hard')).ino,
      fs.statSync(path.join(root, 'bin/real')).ino,
    );
  });

  it('keeps ../ entries inside the root', async () => {
    await applyLayer(root, await tarEntries([{ path: '../../outside', data: 'x' }]));
    assert.equal(read('outside'), 'x');
    assert.ok(!fs.existsSync(path.join(dir, 'outside')));
  });

  it('does not follow a symlinked directory out of the root', async () => {
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    await applyLayer(
      root,
      await tarEntries([
        { path: 'escape', type: 'symlink', linkname: outside },
        { path: 'up', type: 'symlink', linkname: '../../..' },
      ]),
    );
    await applyLayer(
      root,
      await tarEntries([
        { path: 'escape/file', data: 'x' },
        { path: 'up/file2', data: 'y' },
      ]),
    );
    assert.deepEqual(fs.readdirSync(outside), []);
    // both links resolve as if the root were /: the files land inside it
    assert.equal(fs.readFileSync(path.join(root, outside, 'file'), 'utf8'), 'x');
    assert.equal(read('file2'), 'y');
  });

  it('resolves paths through symlinks within the root', () => {
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync('/real', path.join(root, 'abs'));
    fs.symlinkSync('../real', path.join(root, 'rel'));
    assert.equal(secureJoin(root, 'abs/x'), path.join(root, 'real/x'));
    assert.equal(secureJoin(root, 'rel/x'), path.join(root, 'real/x'));
    assert.equal(secureJoin(root, 'abs'), path.join(root, 'abs')); // the last part is not followed
    fs.symlinkSync('loop', path.join(root, 'loop'));
    assert.throws(() => secureJoin(root, 'loop/x'), /too many symlinks/);
  });
});
