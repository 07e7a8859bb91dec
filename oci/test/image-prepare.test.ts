// prepareImage: from a layout tar to an unpacked rootfs and the process to run, for tar-layer
// images (entrypoint from the config) and Wasm-layer images without an entrypoint.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prepareImage } from '../image-prepare';
import { parsePlatform } from '../image-reader';
import { ImageToWrite, writeLayoutTar } from '../image-writer';

const wasmBytes = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('oci prepareImage', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-prepare-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function prepare(images: ImageToWrite[], name?: string) {
    const tar = path.join(dir, 'image.tar');
    fs.writeFileSync(tar, await writeLayoutTar({ images }));
    return prepareImage(tar, path.join(dir, 'rootfs'), { name });
  }

  it('unpacks the wasip1/wasm image and returns its entrypoint, cmd, env and cwd', async () => {
    const prepared = await prepare([
      {
        name: 'app:1',
        platform: parsePlatform('linux/amd64'),
        config: { Entrypoint: ['/native'] },
        layers: [{ kind: 'tar', entries: [{ path: 'native', data: 'ELF' }] }],
      },
      {
        name: 'app:1',
        platform: parsePlatform('wasip1/wasm'),
        config: { Entrypoint: ['/app.wasm'], Cmd: ['--flag'], Env: ['A=1'], WorkingDir: '/data' },
        layers: [{ kind: 'tar', entries: [{ path: 'app.wasm', data: wasmBytes, mode: 0o755 }] }],
      },
    ]);
    assert.deepEqual(prepared.args, ['/app.wasm', '--flag']);
    assert.deepEqual(prepared.env, ['A=1']);
    assert.equal(prepared.cwd, '/data');
    assert.deepEqual(fs.readFileSync(path.join(prepared.rootfs, 'app.wasm')), wasmBytes);
    assert.ok(!fs.existsSync(path.join(prepared.rootfs, 'native')));
  });

  it('runs the Wasm layer of an image that names no entrypoint', async () => {
    const prepared = await prepare([
      {
        name: 'layered:1',
        platform: parsePlatform('wasi/wasm'),
        layers: [{ kind: 'wasm', data: wasmBytes, title: 'module.wasm' }],
      },
    ]);
    assert.deepEqual(prepared.args, ['/module.wasm']);
    assert.deepEqual(fs.readFileSync(path.join(prepared.rootfs, 'module.wasm')), wasmBytes);
    assert.equal(prepared.wasmModules.length, 1);
  });
});
