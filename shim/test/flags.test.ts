// Go flag syntax as containerd passes it to shims.
import { strict as assert } from 'assert';
import { FlagError, parseFlags } from '../flags';

const spec = {
  strings: ['namespace', 'address', 'id', 'bundle', 'publish-binary'],
  booleans: ['debug'],
};

describe('shim flags (Go flag syntax)', () => {
  it('parses containerd start and delete command lines', () => {
    const start = parseFlags(
      [
        '-namespace',
        'k8s.io',
        '-address',
        '/run/containerd/containerd.sock',
        '-publish-binary',
        '/usr/bin/containerd',
        '-id',
        'c1',
        '-debug',
        'start',
      ],
      spec,
    );
    assert.equal(start.strings.get('namespace'), 'k8s.io');
    assert.equal(start.strings.get('address'), '/run/containerd/containerd.sock');
    assert.equal(start.strings.get('id'), 'c1');
    assert.ok(start.booleans.has('debug'));
    assert.deepEqual(start.rest, ['start']);
    const del = parseFlags(['-namespace', 'default', '-id', 'c1', '-bundle', '/b', 'delete'], spec);
    assert.equal(del.strings.get('bundle'), '/b');
    assert.ok(!del.booleans.has('debug'));
    assert.deepEqual(del.rest, ['delete']);
  });

  it('accepts -x=v, --x v, --x=v, and boolean values', () => {
    const p = parseFlags(
      ['--namespace=ns', '--id', 'x', '-address=/a=b', '-debug=true', 'start', '-id', 'ignored'],
      spec,
    );
    assert.equal(p.strings.get('namespace'), 'ns');
    assert.equal(p.strings.get('id'), 'x');
    assert.equal(p.strings.get('address'), '/a=b');
    assert.ok(p.booleans.has('debug'));
    // flags stop at the first non-flag argument
    assert.deepEqual(p.rest, ['start', '-id', 'ignored']);
    assert.ok(!parseFlags(['-debug=false'], spec).booleans.has('debug'));
    assert.deepEqual(parseFlags(['--', '-id'], spec).rest, ['-id']);
    // an empty value is a value
    assert.equal(parseFlags(['-id', '', 'start'], spec).strings.get('id'), '');
  });

  it('refuses unknown flags, missing values and bad syntax as Go does', () => {
    assert.throws(
      () => parseFlags(['-bogus', 'start'], spec),
      (e: Error) => e instanceof FlagError && /not defined: -bogus/.test(e.message),
    );
    assert.throws(() => parseFlags(['-id'], spec), /flag needs an argument: -id/);
    assert.throws(() => parseFlags(['---id', 'x'], spec), /bad flag syntax/);
    assert.throws(() => parseFlags(['-debug=maybe'], spec), /invalid boolean value/);
  });
});
