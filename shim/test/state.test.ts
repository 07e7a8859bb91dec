// The process state machine: every state × operation pair, against the table and containerd's
// expectations.
import { strict as assert } from 'assert';
import { ShimError } from '../errors';
import { allowed, ProcessOperation, ProcessState, transition, transitions } from '../task/state';

const states: ProcessState[] = ['created', 'running', 'paused', 'stopped', 'deleted'];
const operations = Object.keys(transitions) as ProcessOperation[];

describe('shim process state machine', () => {
  it('walks the lifecycle of a process', () => {
    let s: ProcessState = 'created';
    s = transition(s, 'start');
    assert.equal(s, 'running');
    s = transition(s, 'pause');
    assert.equal(s, 'paused');
    assert.equal(transition(s, 'kill'), 'paused');
    s = transition(s, 'resume');
    s = transition(s, 'exit');
    assert.equal(s, 'stopped');
    assert.equal(transition(s, 'delete'), 'deleted');
  });

  it('allows deleting a never-started process and ending a created one', () => {
    assert.equal(transition('created', 'delete'), 'deleted');
    assert.equal(transition('created', 'exit'), 'stopped');
  });

  it('refuses every other pair with a categorised, plain sentence', () => {
    let refused = 0;
    for (const state of states)
      for (const op of operations) {
        if (allowed(state, op)) continue;
        refused++;
        assert.throws(
          () => transition(state, op),
          (err: unknown) => {
            assert.ok(err instanceof ShimError);
            assert.match(err.message, new RegExp(`${op}|finished`));
            return true;
          },
        );
      }
    assert.equal(refused, states.length * operations.length - 11);
  });

  it('answers NotFound for killing an exited process, FailedPrecondition for starting it twice', () => {
    assert.throws(
      () => transition('stopped', 'kill'),
      (e: ShimError) => e.category === 'NotFound',
    );
    assert.throws(
      () => transition('deleted', 'kill'),
      (e: ShimError) => e.category === 'NotFound',
    );
    assert.throws(
      () => transition('running', 'start'),
      (e: ShimError) =>
        e.category === 'FailedPrecondition' && e.message === 'cannot start a running process',
    );
    assert.throws(
      () => transition('running', 'delete'),
      (e: ShimError) => e.category === 'FailedPrecondition',
    );
  });
});
