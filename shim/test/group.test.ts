// Which daemon hosts a container, and the socket it listens on.
import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import { groupingFromEnv, groupOf, socketPathFor } from '../manager/group';

describe('shim grouping and socket naming', () => {
  it('groups by the tswasm group annotation, then the CRI sandbox id, then the container id', () => {
    const both = { 'io.containerd.tswasm.v1.group': 'g', 'io.kubernetes.cri.sandbox-id': 'sb' };
    assert.equal(groupOf('c1', both, 'sandbox'), 'g');
    assert.equal(groupOf('c1', { 'io.kubernetes.cri.sandbox-id': 'sb' }, 'sandbox'), 'sb');
    assert.equal(groupOf('c1', {}, 'sandbox'), 'c1');
    assert.equal(groupOf('c1', undefined, 'sandbox'), 'c1');
    assert.equal(groupOf('c1', both, 'namespace'), '');
  });

  it('reads the namespace-wide grouping from the environment', () => {
    assert.equal(groupingFromEnv({ TSWASM_SHIM_GROUPING: 'namespace' }), 'namespace');
    assert.equal(groupingFromEnv({}), 'sandbox');
  });

  it('names the socket by the sha256 of address, namespace and group under /run/containerd/s', () => {
    const socket = socketPathFor('/run/containerd/containerd.sock', 'k8s.io', 'sb1');
    const hex = createHash('sha256')
      .update('/run/containerd/containerd.sock/k8s.io/sb1')
      .digest('hex');
    assert.equal(socket, `/run/containerd/s/${hex}`);
    assert.ok(socket.length <= 106);
    assert.notEqual(socketPathFor('/a', 'ns', 'g1'), socketPathFor('/a', 'ns', 'g2'));
    assert.notEqual(socketPathFor('/a', 'ns1', 'g'), socketPathFor('/a', 'ns2', 'g'));
    assert.throws(() => socketPathFor('/a', 'ns', 'g', '/' + 'x'.repeat(60)), /longer than 106/);
  });
});
