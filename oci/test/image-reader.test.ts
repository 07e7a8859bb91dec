// The OCI image layout reader: platform and name selection (descriptor platforms, nested
// indexes, platforms only in the config), Wasm layers, blob checks, directory and tar layouts.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { MediaType } from '../image-layout';
import {
  formatPlatform,
  imageProcess,
  ImageLayout,
  isWasmImage,
  parsePlatform,
} from '../image-reader';
import { ImageToWrite, LayoutToWrite, writeLayoutDir, writeLayoutTar } from '../image-writer';

const wasmBytes = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function image(name: string, platform: string, extra: Partial<ImageToWrite> = {}): ImageToWrite {
  return {
    name,
    platform: parsePlatform(platform),
    config: { Entrypoint: [`/${platform.replace('/', '-')}`], Cmd: ['a'], Env: ['X=1'] },
    layers: [{ kind: 'tar', entries: [{ path: 'marker', data: platform }] }],
    ...extra,
  };
}

describe('oci image reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-image-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function layoutDir(layout: LayoutToWrite): Promise<ImageLayout> {
    await writeLayoutDir(layout, dir);
    return ImageLayout.open(dir);
  }

  it('picks the wasip1/wasm manifest among platforms listed in index.json', async () => {
    const layout = await layoutDir({
      images: [image('x:latest', 'linux/amd64'), image('x:latest', 'wasip1/wasm')],
    });
    const resolved = layout.resolve();
    assert.equal(formatPlatform(resolved.platform), 'wasip1/wasm');
    assert.equal(resolved.config.os, 'wasip1');
    assert.equal(resolved.name, 'x:latest');
    assert.ok(isWasmImage(resolved));
    assert.deepEqual(imageProcess(resolved), {
      args: ['/wasip1-wasm', 'a'],
      env: ['X=1'],
      cwd: '/',
    });
  });

  it('accepts wasi/wasm, and prefers wasip1/wasm when both exist', async () => {
    const only = await layoutDir({ images: [image('x', 'wasi/wasm')] });
    assert.equal(formatPlatform(only.resolve().platform), 'wasi/wasm');
    fs.rmSync(dir, { recursive: true });
    const both = await layoutDir({ images: [image('x', 'wasi/wasm'), image('x', 'wasip1/wasm')] });
    assert.equal(formatPlatform(both.resolve().platform), 'wasip1/wasm');
  });

  it('walks a nested multi-platform index, keeping the top-level name', async () => {
    const layout = await layoutDir({
      images: [image('', 'linux/arm64'), image('', 'wasip1/wasm')],
      multiPlatform: { name: 'docker.io/library/multi:1.0' },
    });
    const resolved = layout.resolve({ name: 'docker.io/library/multi:1.0' });
    assert.equal(formatPlatform(resolved.platform), 'wasip1/wasm');
    assert.equal(resolved.name, 'docker.io/library/multi:1.0');
    assert.equal(layout.resolve({ name: '1.0' }).manifestDigest, resolved.manifestDigest);
  });

  it('reads the platform from the config when the descriptor has none', async () => {
    const layout = await layoutDir({
      images: [image('x', 'wasip1/wasm', { platformInIndex: false })],
    });
    assert.equal(layout.index().manifests[0].platform, undefined);
    assert.equal(formatPlatform(layout.resolve().platform), 'wasip1/wasm');
  });

  it('selects by full name or ref name, and names the images it has when none match', async () => {
    const layout = await layoutDir({
      images: [
        image('docker.io/a/one:v1', 'wasip1/wasm'),
        image('docker.io/a/two:v2', 'wasip1/wasm'),
      ],
    });
    assert.equal(layout.resolve({ name: 'docker.io/a/two:v2' }).name, 'docker.io/a/two:v2');
    assert.equal(layout.resolve({ name: 'v1' }).name, 'docker.io/a/one:v1');
    assert.throws(
      () => layout.resolve({ name: 'three' }),
      /no image named "three" \(it has docker\.io\/a\/one:v1, docker\.io\/a\/two:v2\)/,
    );
  });

  it('says which platforms it found when none is acceptable', async () => {
    const layout = await layoutDir({ images: [image('x', 'linux/amd64')] });
    assert.throws(
      () => layout.resolve(),
      /no manifest for wasip1\/wasm or wasi\/wasm \(found linux\/amd64\)/,
    );
    assert.equal(
      formatPlatform(layout.resolve({ platforms: [parsePlatform('linux/amd64')] }).platform),
      'linux/amd64',
    );
  });

  it('recognises the three Wasm layer media types and leaves tar layers out of wasmLayers', async () => {
    const layout = await layoutDir({
      images: [
        image('x', 'wasip1/wasm', {
          layers: [
            { kind: 'tar', entries: [{ path: 'etc/x', data: '1' }] },
            { kind: 'wasm', data: wasmBytes, mediaType: MediaType.wasmLayer },
            { kind: 'wasm', data: wasmBytes, mediaType: MediaType.wasm },
            { kind: 'wasm', data: wasmBytes, mediaType: MediaType.wasmComponentLayer },
          ],
        }),
      ],
    });
    const resolved = layout.resolve();
    assert.equal(resolved.layers.length, 4);
    assert.deepEqual(
      resolved.wasmLayers.map((l) => l.mediaType),
      [MediaType.wasmLayer, MediaType.wasm, MediaType.wasmComponentLayer],
    );
    assert.deepEqual(layout.blob(resolved.wasmLayers[0]), wasmBytes);
  });

  it('treats a linux image with a Wasm layer as Wasm, and a plain linux image as not', async () => {
    const layout = await layoutDir({
      images: [
        image('wasm-layer', 'linux/amd64', { layers: [{ kind: 'wasm', data: wasmBytes }] }),
        image('plain', 'linux/amd64'),
      ],
    });
    const linux = [parsePlatform('linux/amd64')];
    assert.ok(isWasmImage(layout.resolve({ name: 'wasm-layer', platforms: linux })));
    assert.ok(!isWasmImage(layout.resolve({ name: 'plain', platforms: linux })));
  });

  it('rejects a blob whose bytes do not match its digest or size', async () => {
    const layout = await layoutDir({ images: [image('x', 'wasip1/wasm')] });
    const resolved = layout.resolve();
    const layer = resolved.layers[0];
    const file = path.join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(file, bytes);
    assert.throws(() => layout.blob(layer), /does not match its digest/);
    fs.writeFileSync(file, Buffer.concat([bytes, Buffer.from('x')]));
    assert.throws(() => layout.blob(layer), /bytes, descriptor says/);
  });

  it('rejects digests that would leave the blobs folder', () => {
    const layout = ImageLayout.fromFiles(new Map());
    assert.throws(
      () => layout.blob({ mediaType: 'x', digest: 'sha256:../../etc/passwd', size: 1 }),
      /invalid digest/,
    );
  });

  it('reads the same image from a layout tar, plain or gzipped', async () => {
    const spec = { images: [image('x:latest', 'linux/amd64'), image('x:latest', 'wasip1/wasm')] };
    const tarFile = path.join(dir, 'image.tar');
    fs.writeFileSync(tarFile, await writeLayoutTar(spec));
    const fromTar = (await ImageLayout.open(tarFile)).resolve();
    const gzFile = path.join(dir, 'image.tar.gz');
    fs.writeFileSync(gzFile, zlib.gzipSync(fs.readFileSync(tarFile)));
    const fromGz = (await ImageLayout.open(gzFile)).resolve();
    await writeLayoutDir(spec, path.join(dir, 'layout'));
    const fromDir = (await ImageLayout.open(path.join(dir, 'layout'))).resolve();
    assert.equal(fromTar.manifestDigest, fromDir.manifestDigest);
    assert.equal(fromGz.manifestDigest, fromDir.manifestDigest);
    assert.equal(formatPlatform(fromTar.platform), 'wasip1/wasm');
  });

  it('says when a path is not an image layout', async () => {
    const layout = await ImageLayout.open(dir);
    assert.throws(() => layout.resolve(), /no index\.json \(not an OCI image layout\)/);
  });
});
