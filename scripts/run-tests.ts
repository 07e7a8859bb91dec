// Runs every compiled test file (dist/**/*.test.js) with mocha and ends with the line
// `N passed, N failed, N skipped` that CI reads. Exits non-zero when any test fails.
// Usage: node dist/scripts/run-tests.js [--grep PATTERN] [path-substring ...]
import Mocha from 'mocha';
import * as fs from 'fs';
import * as path from 'path';

function findTests(dir: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, found);
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

function main(): void {
  const args = process.argv.slice(2);
  let grep: string | undefined;
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--grep') grep = args[++i];
    else filters.push(args[i]);
  }
  const root = path.resolve(__dirname, '..');
  const files = findTests(root)
    .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();

  const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, grep });
  for (const file of files) mocha.addFile(file);
  const runner = mocha.run();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  runner.on('pass', () => passed++);
  runner.on('fail', () => failed++);
  runner.on('pending', () => skipped++);
  runner.on('end', () => {
    if (passed + failed === 0) failed++; // a run that tests nothing is a failure
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
}

main();
