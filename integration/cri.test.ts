// A Kubernetes-style pod on tswasm through containerd's CRI plugin, called as the kubelet
// calls it (runtime.v1.RuntimeService over gRPC): RunPodSandbox with runtime handler `tswasm`
// (the sandbox is emulated by the shim), CreateContainer/StartContainer of a Wasm image, the
// CRI log file, exit codes in ContainerStatus, stats, StopContainer, and a clean teardown.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  Containerd,
  ContainerState,
  CriClient,
  criNamespace,
  criSandboxImage,
  mountsUnder,
  namespaceModeNode,
  SandboxState,
  until,
  wasmImage,
  wasmPlatform,
  writeTestImages,
} from './harness';
import { itWith } from './pending';

describe('tswasm pods through the CRI API', function () {
  this.timeout(120_000);
  let containerd: Containerd;
  let cri: CriClient;
  let pods = 0;

  before(async () => {
    containerd = await Containerd.start({ cri: true });
    cri = new CriClient(containerd.socket);
    const { wasm } = await writeTestImages(containerd.dir);
    const imported = await containerd.ctrIn(criNamespace, [
      'image',
      'import',
      '--platform',
      wasmPlatform,
      wasm,
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    // the pause image is never run on tswasm (the shim emulates the sandbox), but CRI wants it
    await containerd.ctrIn(criNamespace, ['image', 'tag', wasmImage('sleep'), criSandboxImage]);
  });
  after(async () => {
    cri?.close();
    await containerd?.stop();
  });

  /** A host-network pod (no CNI needed) on runtime handler tswasm. */
  async function runPod(): Promise<{ id: string; config: Record<string, unknown>; logs: string }> {
    const name = `pod-${++pods}`;
    const logs = path.join(containerd.dir, 'pods', name);
    fs.mkdirSync(logs, { recursive: true });
    const config = {
      metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
      hostname: name,
      log_directory: logs,
      linux: { security_context: { namespace_options: { network: namespaceModeNode } } },
    };
    const id = await cri.runPodSandbox(config, 'tswasm');
    return { id, config, logs };
  }

  async function removePod(id: string): Promise<void> {
    await cri.stopPodSandbox(id);
    assert.equal((await cri.podSandboxStatus(id)).state, SandboxState.notReady);
    await cri.removePodSandbox(id);
  }

  const waitForState = (id: string, state: number) =>
    until(
      `container ${id.slice(0, 12)} in state ${state}`,
      async () => {
        const status = await cri.containerStatus(id);
        return status.state === state ? status : undefined;
      },
      20_000,
      100,
    );

  itWith(['cri'], 'runs a Wasm container in a pod: CRI log, exit code, teardown', async () => {
    const pod = await runPod();
    assert.equal((await cri.podSandboxStatus(pod.id)).state, SandboxState.ready);
    const id = await cri.createContainer(
      pod.id,
      {
        metadata: { name: 'hello', attempt: 0 },
        image: { image: wasmImage('hello') },
        args: ['3', 'from CRI'], // args replace the image's Cmd; the entrypoint stays
        log_path: 'hello.log',
      },
      pod.config,
    );
    await cri.startContainer(id);
    const status = await waitForState(id, ContainerState.exited);
    assert.equal(status.exit_code, 3, containerd.logTail());
    assert.equal(status.reason, 'Error');
    const log = fs.readFileSync(path.join(pod.logs, 'hello.log'), 'utf8');
    const lines = log
      .trimEnd()
      .split('\n')
      .map((line) => line.split(' ').slice(1).join(' '));
    assert.deepEqual(lines, [
      'stdout F Hello from tswasm',
      'stdout F arg 1: 3',
      'stdout F arg 2: from CRI',
    ]);
    await cri.removeContainer(id);
    await removePod(pod.id);
    await until('the shims to exit', () =>
      containerd.shimProcesses().length === 0 ? true : undefined,
    );
  });

  itWith(['cri'], 'stops a running container (SIGTERM: 143) and gives its stats', async () => {
    const pod = await runPod();
    const id = await cri.createContainer(
      pod.id,
      {
        metadata: { name: 'idle', attempt: 0 },
        image: { image: wasmImage('sleep') },
        envs: [{ key: 'POD', value: 'yes' }],
        log_path: 'idle.log',
      },
      pod.config,
    );
    await cri.startContainer(id);
    await waitForState(id, ContainerState.running);
    await until('the sleeper to log', () =>
      fs.readFileSync(path.join(pod.logs, 'idle.log'), 'utf8').includes('stdout F sleeping')
        ? true
        : undefined,
    );
    const stats = await cri.containerStats(id);
    assert.equal((stats.attributes as { id: string }).id, id);
    await cri.stopContainer(id, 10);
    const status = await waitForState(id, ContainerState.exited);
    assert.equal(status.exit_code, 143, containerd.logTail());
    await cri.removeContainer(id);
    await removePod(pod.id);
    await until('the shims to exit', () =>
      containerd.shimProcesses().length === 0 ? true : undefined,
    );
    const leftovers = mountsUnder(containerd.dir);
    assert.deepEqual(leftovers, [], 'mounts left behind');
  });

  itWith(['cri'], "a pod's sandbox and containers share one shim daemon", async () => {
    const pod = await runPod();
    const ids: string[] = [];
    for (const name of ['one', 'two']) {
      const id = await cri.createContainer(
        pod.id,
        {
          metadata: { name, attempt: 0 },
          image: { image: wasmImage('sleep') },
          log_path: `${name}.log`,
        },
        pod.config,
      );
      await cri.startContainer(id);
      await waitForState(id, ContainerState.running);
      ids.push(id);
    }
    const bundles = path.join(
      containerd.dir,
      'state',
      'io.containerd.runtime.v2.task',
      criNamespace,
    );
    const address = (id: string) => fs.readFileSync(path.join(bundles, id, 'address'), 'utf8');
    assert.equal(address(ids[0]), address(pod.id));
    assert.equal(address(ids[1]), address(pod.id));
    assert.equal(containerd.shimProcesses().length, 1, 'one daemon for the pod');
    // stopping one container leaves the other (and the daemon) running
    await cri.stopContainer(ids[0], 5);
    await waitForState(ids[0], ContainerState.exited);
    await cri.removeContainer(ids[0]);
    assert.equal((await cri.containerStatus(ids[1])).state, ContainerState.running);
    await cri.stopContainer(ids[1], 5);
    await cri.removeContainer(ids[1]);
    await removePod(pod.id);
    await until('the shim to exit', () =>
      containerd.shimProcesses().length === 0 ? true : undefined,
    );
  });
});
