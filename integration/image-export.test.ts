// The OCI image reader on what containerd itself writes: a Wasm test image round-trips
// through `ctr image import` and `ctr image export`, then resolves and unpacks to the module.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ImageLayout, imageProcess, isWasmImage } from '../oci/image-reader';
import { unpackImage } from '../oci/image-unpack';
import { Containerd, importWasmImages, wasmFixture, wasmImage, wasmPlatform } from './harness';

describe('oci image reader on a ctr image export', function () {
  this.timeout(60_000);
  let containerd: Containerd;

  before(async () => {
    containerd = await Containerd.start();
    await importWasmImages(containerd);
  });
  after(async () => {
    await containerd?.stop();
  });

  it('resolves the wasip1/wasm image and unpacks its module', async () => {
    const exported = path.join(containerd.dir, 'export.tar');
    await containerd.ctrOk([
      'image',
      'export',
      '--platform',
      wasmPlatform,
      exported,
      wasmImage('hello'),
    ]);
    const layout = await ImageLayout.open(exported);
    const image = layout.resolve({ name: wasmImage('hello') });
    assert.ok(isWasmImage(image));
    assert.deepEqual(imageProcess(image).args, ['/hello.wasm']);
    const root = path.join(containerd.dir, 'unpacked');
    await unpackImage(layout, image, root);
    assert.deepEqual(fs.readFileSync(path.join(root, 'hello.wasm')), wasmFixture('integ_hello'));
  });
});
