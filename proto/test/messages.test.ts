// The generated codecs: exact bytes for messages containerd reads, agreement with protobufjs's
// reflection encoder on the same .proto files, 64-bit values, packed lists, maps, unknown
// fields, the Any/Timestamp helpers, and that proto/gen matches the .proto files.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import {
  anyTypeName,
  cgroupsV1,
  CreateTaskRequest,
  DeleteResponse,
  ForwardRequest,
  packAny,
  StateResponse,
  Status,
  TaskExit,
  TaskService,
  timestampFromMs,
  timestampToMs,
  ttrpc,
  UpdateTaskRequest,
} from '..';

const repo = path.resolve(__dirname, '../../..');
const protoDir = path.join(repo, 'proto');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function reflectionRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_o, target) => path.join(protoDir, target);
  root.loadSync(
    [
      'containerd/task/v2/shim.proto',
      'containerd/events/task.proto',
      'cgroups/v1/metrics.proto',
      'ttrpc/request.proto',
    ],
    { keepCase: false },
  );
  return root;
}

describe('proto codecs', () => {
  it('proto/gen is what proto/generate.js makes from the .proto files', () => {
    const result = spawnSync(process.execPath, [path.join(protoDir, 'generate.js'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
  });

  it('encodes DeleteResponse with containerd field numbers (pid=1, exit_status=2, exited_at=3)', () => {
    const bytes = DeleteResponse.encode({
      pid: 1,
      exitStatus: 137,
      exitedAt: { seconds: 1_700_000_000, nanos: 5 },
    });
    // 08 01 | 10 89 01 | 1a 08 (08 80 e2 cf aa 06 10 05)
    assert.equal(hex(bytes), '0801' + '108901' + '1a08' + '0880e2cfaa06' + '1005');
    const back = DeleteResponse.decode(bytes);
    assert.deepEqual(back, {
      pid: 1,
      exitStatus: 137,
      exitedAt: { seconds: 1_700_000_000n, nanos: 5 },
    });
  });

  it('encodes TaskExit as containerd reads it', () => {
    const bytes = TaskExit.encode({ containerId: 'c', id: 'c', pid: 3, exitStatus: 1 });
    assert.equal(hex(bytes), '0a0163' + '120163' + '1803' + '2001');
    assert.equal(TaskExit.typeName, 'containerd.events.TaskExit');
  });

  it('writes nothing for proto3 defaults, and decodes defaults for absent fields', () => {
    assert.equal(StateResponse.encode({ id: '', pid: 0, terminal: false }).length, 0);
    const empty = StateResponse.decode(new Uint8Array(0));
    assert.deepEqual(empty, {
      id: '',
      bundle: '',
      pid: 0,
      status: Status.UNKNOWN,
      stdin: '',
      stdout: '',
      stderr: '',
      terminal: false,
      exitStatus: 0,
      execId: '',
    });
    assert.equal(empty.exitedAt, undefined);
  });

  it('agrees byte for byte with protobufjs reflection on a full CreateTaskRequest', () => {
    const message = {
      id: 'abc',
      bundle: '/run/containerd/io.containerd.runtime.v2.task/default/abc',
      rootfs: [
        { type: 'overlay', source: 'overlay', options: ['lowerdir=/a', 'upperdir=/b'] },
        { type: 'bind', source: '/src', target: '/dst' },
      ],
      terminal: true,
      stdout: '/run/fifo/out',
      stderr: '/run/fifo/err',
      oomPath: '/run/oom',
    };
    // (reflection writes fields set to defaults, and its built-in Any names its field type_url:
    // compare without those, then check the Any's bytes by hand)
    const T = reflectionRoot().lookupType('containerd.task.v2.CreateTaskRequest');
    const theirs = T.encode(T.fromObject(message)).finish();
    assert.equal(hex(CreateTaskRequest.encode(message)), hex(theirs));
    const options = { typeUrl: 'x.Options', value: Buffer.from([1, 2, 3]) };
    const ours = CreateTaskRequest.encode({ ...message, options });
    // field 10 (options), before field 11 (oom_path): 52 10 | 0a 09 "x.Options" | 12 03 01 02 03
    const oom = '5a082f72756e2f6f6f6d';
    assert.equal(hex(ours), hex(theirs).replace(oom, '52100a09782e4f7074696f6e731203010203' + oom));
    const back = CreateTaskRequest.decode(ours);
    assert.equal(back.rootfs[0].options[1], 'upperdir=/b');
    assert.equal(back.options?.typeUrl, 'x.Options');
    assert.equal(back.oomPath, '/run/oom');
    assert.deepEqual([...(back.options?.value ?? [])], [1, 2, 3]);
  });

  it('agrees with protobufjs reflection on cgroup v1 Metrics, packed per-CPU list included', () => {
    const message = {
      pids: { current: 3, limit: 100 },
      cpu: { usage: { total: 123456789, kernel: 1, user: 2, perCpu: [5, 6, 300] } },
      memory: { rss: 4096, usage: { usage: 1 << 20, limit: 1 << 30 } },
    };
    const ours = cgroupsV1.Metrics.encode(message);
    const T = reflectionRoot().lookupType('io.containerd.cgroups.v1.Metrics');
    assert.equal(hex(ours), hex(T.encode(T.fromObject(message)).finish()));
    const back = cgroupsV1.Metrics.decode(ours);
    assert.deepEqual(back.cpu?.usage?.perCpu, [5n, 6n, 300n]);
    assert.equal(back.memory?.usage?.limit, 1n << 30n);
    assert.equal(cgroupsV1.Metrics.typeName, 'io.containerd.cgroups.v1.Metrics');
  });

  it('reads unpacked repeated numbers too', () => {
    // field 4 (per_cpu) as three separate varints: 20 05, 20 06, 20 07
    const usage = cgroupsV1.CPUUsage.decode(Buffer.from('200520062007', 'hex'));
    assert.deepEqual(usage.perCpu, [5n, 6n, 7n]);
  });

  it('keeps 64-bit values exact, signed and unsigned', () => {
    const big = [0n, 1n, (1n << 53n) + 1n, (1n << 63n) - 4096n, (1n << 64n) - 1n];
    for (const value of big) {
      const back = cgroupsV1.MemoryEntry.decode(cgroupsV1.MemoryEntry.encode({ limit: value }));
      assert.equal(back.limit, value);
    }
    for (const seconds of [-1n, -(1n << 40n), 1n << 40n, -(1n << 63n)]) {
      const T = ttrpc.Request;
      assert.equal(T.decode(T.encode({ timeoutNano: seconds })).timeoutNano, seconds);
    }
    // numbers are accepted on input
    assert.equal(
      cgroupsV1.MemoryEntry.decode(cgroupsV1.MemoryEntry.encode({ usage: 2 ** 40 })).usage,
      2n ** 40n,
    );
  });

  it('round-trips a map field', () => {
    const annotations = { 'io.kubernetes.cri.container-type': 'container', empty: '' };
    const back = UpdateTaskRequest.decode(UpdateTaskRequest.encode({ id: 'x', annotations }));
    assert.deepEqual(back.annotations, annotations);
  });

  it('skips unknown fields and fields of an unexpected wire type', () => {
    const known = TaskExit.encode({ containerId: 'c', pid: 9 });
    // field 15 as a string, field 16 as fixed64, field 3 (pid) as a string: all skipped
    const extra = Buffer.from('7a03616263' + '8101' + '0000000000000000' + '1a0178', 'hex');
    const back = TaskExit.decode(Buffer.concat([extra.subarray(0, 5), known, extra.subarray(5)]));
    assert.equal(back.containerId, 'c');
    assert.equal(back.pid, 9);
  });

  it('nests an event in a ForwardRequest envelope', () => {
    const event = packAny(TaskExit, { containerId: 'c', exitStatus: 3 });
    assert.equal(event.typeUrl, 'containerd.events.TaskExit');
    const bytes = ForwardRequest.encode({
      envelope: {
        timestamp: timestampFromMs(1500),
        namespace: 'default',
        topic: '/tasks/exit',
        event,
      },
    });
    const back = ForwardRequest.decode(bytes);
    assert.equal(back.envelope?.topic, '/tasks/exit');
    assert.deepEqual(back.envelope?.timestamp, { seconds: 1n, nanos: 500_000_000 });
    assert.equal(TaskExit.decode(back.envelope?.event?.value ?? new Uint8Array()).exitStatus, 3);
  });

  it('converts timestamps and type URLs', () => {
    assert.deepEqual(timestampFromMs(1_700_000_000_123), {
      seconds: 1_700_000_000n,
      nanos: 123_000_000,
    });
    assert.equal(timestampToMs({ seconds: 1_700_000_000n, nanos: 123_999_999 }), 1_700_000_000_123);
    assert.equal(timestampToMs(undefined), 0);
    assert.equal(
      anyTypeName('type.googleapis.com/containerd.events.TaskExit'),
      'containerd.events.TaskExit',
    );
    assert.equal(anyTypeName('containerd.events.TaskExit'), 'containerd.events.TaskExit');
  });

  it('lists the 17 Task methods with their message types', () => {
    const methods = Object.values(TaskService.methods);
    assert.equal(TaskService.name, 'containerd.task.v2.Task');
    assert.equal(methods.length, 17);
    assert.equal(TaskService.methods.Wait.response.typeName, 'containerd.task.v2.WaitResponse');
    assert.equal(TaskService.methods.Kill.response.typeName, 'google.protobuf.Empty');
    assert.equal(
      TaskService.methods.Create.request.typeName,
      'containerd.task.v2.CreateTaskRequest',
    );
  });
});
