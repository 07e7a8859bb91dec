// The harness itself, checked end to end with runc (independent of the tswasm shim): a private
// containerd imports a test image and `ctr run --rm` runs a static native program in it.
import { strict as assert } from 'assert';
import { Containerd, importNativeImages, nativeHelloImage } from './harness';

describe('integration harness with runc', function () {
  this.timeout(120_000);
  let containerd: Containerd;

  before(async () => {
    containerd = await Containerd.start();
    await importNativeImages(containerd);
  });
  after(async () => {
    await containerd?.stop();
  });

  it('runs a native image with ctr run --rm: output and exit code come through', async () => {
    const result = await containerd.ctr(
      ['run', '--rm', nativeHelloImage, 'runc-hello', '/hello', '3'],
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(result.code, 3, `${result.stderr}\n${containerd.logTail()}`);
    assert.equal(result.stdout, 'Hello from a native container\n');
    assert.deepEqual([...(await containerd.tasks()).keys()], []);
  });
});
