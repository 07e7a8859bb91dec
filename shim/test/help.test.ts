// The two binaries start and print usage on --help (through their real bin/ wrappers).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');

for (const [bin, expected] of [
  ['containerd-shim-tswasm-v1', /Usage: containerd-shim-tswasm-v1 .*start\|delete/],
  ['tswasm-shim', /Usage: tswasm-shim <command>/],
] as const) {
  describe(`${bin} --help`, () => {
    it('prints usage and exits 0', () => {
      const result = spawnSync(path.join(repo, 'bin', bin), ['--help'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, expected);
    });
  });
}

describe('tswasm-shim with a bad command', () => {
  it('names the command and exits 2', () => {
    const result = spawnSync(path.join(repo, 'bin', 'tswasm-shim'), ['frobnicate'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "frobnicate"/);
  });
});
