// Where things are in the repository for integration tests: the repo root, the shim binaries
// in bin/, Wasm fixtures built into build/fixtures/, and static native programs (for the runc
// comparison) compiled here with gcc -static into build/native/ when their source is newer.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const binDir = path.join(repoRoot, 'bin');
export const shimBinary = path.join(binDir, 'containerd-shim-tswasm-v1');

/** build/fixtures/<name>.wasm, built by `npm run build` from integration/fixtures/<name>.c. */
export function wasmFixture(name: string): Buffer {
  const file = path.join(repoRoot, 'build', 'fixtures', `${name}.wasm`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run build\` (scripts/build-fixtures.sh)`);
  }
  return fs.readFileSync(file);
}

/** A static x86-64 Linux executable built from integration/native/<name>.c. */
export function nativeProgram(name: string): Buffer {
  const source = path.join(repoRoot, 'integration', 'native', `${name}.c`);
  const out = path.join(repoRoot, 'build', 'native', name);
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(source).mtimeMs) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // gcc where present, else clang (installed for the Wasm fixtures); both need libc6-dev
    const compiler = ['/usr/bin/gcc', '/usr/bin/clang'].find((c) => fs.existsSync(c)) ?? 'cc';
    execFileSync(compiler, ['-static', '-O2', '-o', out, source], { stdio: 'inherit' });
  }
  return fs.readFileSync(out);
}
