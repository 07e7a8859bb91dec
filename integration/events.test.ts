// The task events tswasm publishes, as containerd forwards them to `ctr events`: topics in
// lifecycle order with the right ids and exit statuses, for a run, an exec, and pause/resume.
import { strict as assert } from 'assert';
import {
  Background,
  Containerd,
  importWasmImages,
  sleep,
  tswasmRuntime,
  until,
  wasmImage,
} from './harness';
import { itWith } from './pending';

interface TaskEvent {
  topic: string;
  body: Record<string, unknown>;
}

/** The /tasks/* events `ctr events` printed so far, for one container. */
function taskEvents(events: Background, containerId: string): TaskEvent[] {
  const found: TaskEvent[] = [];
  for (const line of events.stdout.split('\n')) {
    // 2026-11-24 12:47:02.801 +0000 UTC NAMESPACE /tasks/start {"container_id":...}
    const match = /^\S+ \S+ \S+ \S+ \S+ (\/tasks\/\S+) (\{.*\})$/.exec(line);
    if (!match) continue;
    const body = JSON.parse(match[2]) as Record<string, unknown>;
    if (body.container_id === containerId) found.push({ topic: match[1], body });
  }
  return found;
}

describe('tswasm task events', function () {
  this.timeout(120_000);
  let containerd: Containerd;
  let events: Background;

  before(async () => {
    containerd = await Containerd.start();
    await importWasmImages(containerd);
    events = containerd.ctrBackground(['events']);
    await sleep(300); // let ctr events subscribe
  });
  after(async () => {
    events?.kill();
    await containerd?.stop();
  });

  const topicsOf = (id: string) => taskEvents(events, id).map((e) => e.topic);
  const waitForTopic = (id: string, topic: string) =>
    until(`${topic} for ${id}`, () => (topicsOf(id).includes(topic) ? true : undefined), 10_000);

  itWith(
    ['run'],
    'a run publishes create, start, exit (with its status), delete in order',
    async () => {
      const result = await containerd.ctr(
        [
          'run',
          '--rm',
          '--runtime',
          tswasmRuntime,
          wasmImage('hello'),
          'ev-run',
          '/hello.wasm',
          '3',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(result.code, 3, result.stderr);
      await waitForTopic('ev-run', '/tasks/delete');
      assert.deepEqual(topicsOf('ev-run'), [
        '/tasks/create',
        '/tasks/start',
        '/tasks/exit',
        '/tasks/delete',
      ]);
      const exit = taskEvents(events, 'ev-run').find((e) => e.topic === '/tasks/exit')!;
      assert.equal(exit.body.id, 'ev-run');
      assert.equal(exit.body.exit_status, 3);
      assert.ok(exit.body.exited_at, 'exited_at is set');
    },
  );

  itWith(['detach', 'exec', 'pause'], 'exec and pause publish their events', async () => {
    await containerd.ctrOk([
      'run',
      '-d',
      '--runtime',
      tswasmRuntime,
      wasmImage('sleep'),
      'ev-life',
    ]);
    const exec = await containerd.ctr([
      'task',
      'exec',
      '--exec-id',
      'ev-exec',
      'ev-life',
      '/hello.wasm',
      '4',
    ]);
    assert.equal(exec.code, 4, exec.stderr);
    await containerd.ctrOk(['task', 'pause', 'ev-life']);
    await containerd.ctrOk(['task', 'resume', 'ev-life']);
    await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'ev-life']);
    await waitForTopic('ev-life', '/tasks/exit');
    await until('the exit of ev-life itself', () =>
      taskEvents(events, 'ev-life').some(
        (e) => e.topic === '/tasks/exit' && e.body.id === 'ev-life',
      )
        ? true
        : undefined,
    );
    const all = taskEvents(events, 'ev-life');
    const execExit = all.find((e) => e.topic === '/tasks/exit' && e.body.id === 'ev-exec');
    assert.equal(execExit?.body.exit_status, 4);
    const initExit = all.find((e) => e.topic === '/tasks/exit' && e.body.id === 'ev-life');
    assert.equal(initExit?.body.exit_status, 137);
    const order = all.map((e) => e.topic);
    const at = (topic: string) => order.indexOf(topic);
    for (const topic of [
      '/tasks/exec-added',
      '/tasks/exec-started',
      '/tasks/paused',
      '/tasks/resumed',
    ]) {
      assert.ok(at(topic) >= 0, `no ${topic} in ${order.join(', ')}`);
    }
    assert.ok(at('/tasks/start') < at('/tasks/exec-added'), order.join(', '));
    assert.ok(at('/tasks/exec-added') < at('/tasks/exec-started'), order.join(', '));
    assert.ok(at('/tasks/paused') < at('/tasks/resumed'), order.join(', '));
    await containerd.ctr(['task', 'delete', 'ev-life']);
    await containerd.ctrOk(['container', 'rm', 'ev-life']);
  });
});
