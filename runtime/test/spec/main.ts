// CLI: runs the core spec suite (or the named files) on one engine and prints a per-file table
// of passed / failed / skipped commands and the total.
// Usage: node dist/runtime/test/spec/main.js [--engine v8|tswasm] [--show N] [--messages]
//                                            [--write-pending] [FILE...]
//   FILE: a .wast path, or a name in the suite (`i32`, `i32.wast`); --show: failures listed per
//   file; --messages: also count (and list --show N of) expected errors whose message lacks the
//   script's text; --write-pending: rewrite pending.json from this run (whole suite only).
import * as fs from 'fs';
import * as path from 'path';
import { EngineName, loadEngine } from './engine-api';
import { readPending, writePending } from './pending';
import { FileResult, runScript } from './runner';
import { coreScripts, loadScript, suiteDir } from './script';

function resolveFile(arg: string): string {
  if (fs.existsSync(arg)) return path.resolve(arg);
  const name = arg.endsWith('.wast') ? arg : `${arg}.wast`;
  return path.join(suiteDir(), name);
}

function main(): void {
  const args = process.argv.slice(2);
  let engineName: EngineName = 'v8';
  let show = 3;
  let rewritePending = false;
  let messages = false;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--engine') {
      const value = args[++i];
      if (value !== 'v8' && value !== 'tswasm') throw new Error(`unknown engine ${value}`);
      engineName = value;
    } else if (args[i] === '--show') show = Number(args[++i]);
    else if (args[i] === '--write-pending') rewritePending = true;
    else if (args[i] === '--messages') messages = true;
    else files.push(resolveFile(args[i]));
  }
  const api = loadEngine(engineName);
  const scripts = files.length > 0 ? files : coreScripts();
  const width = Math.max(...scripts.map((f) => path.basename(f).length), 'total'.length);
  const row = (
    name: string,
    p: number | string,
    f: number | string,
    s: number | string,
    ms: string,
    wrong: number | string,
  ) =>
    `${name.padEnd(width)} ${String(p).padStart(7)} ${String(f).padStart(7)} ${String(s).padStart(7)} ${ms.padStart(8)}` +
    (messages ? ` ${String(wrong).padStart(8)}` : '');
  process.stdout.write(
    `engine: ${engineName}\n${row('file', 'passed', 'failed', 'skipped', 'ms', 'msg diff')}\n`,
  );
  const results: FileResult[] = [];
  const total = { passed: 0, failed: 0, skipped: 0, ms: 0, failedFiles: 0, wrong: 0 };
  for (const file of scripts) {
    let result: FileResult;
    try {
      result = runScript(api, loadScript(file));
    } catch (e) {
      process.stdout.write(`${path.basename(file).padEnd(width)} error: ${String(e)}\n`);
      total.failedFiles++;
      continue;
    }
    results.push(result);
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
    total.ms += result.ms;
    total.wrong += result.wrongMessages.length;
    if (result.failed > 0) total.failedFiles++;
    process.stdout.write(
      `${row(result.name, result.passed, result.failed, result.skipped, result.ms.toFixed(0), result.wrongMessages.length)}\n`,
    );
    const listed = [...result.failures, ...(messages ? result.wrongMessages : [])].slice(0, show);
    for (const failure of listed) {
      process.stdout.write(`    line ${failure.line}: ${failure.message.slice(0, 300)}\n`);
    }
  }
  process.stdout.write(
    `${row('total', total.passed, total.failed, total.skipped, total.ms.toFixed(0), total.wrong)}\n` +
      `${scripts.length - total.failedFiles} of ${scripts.length} files pass fully\n`,
  );
  if (rewritePending) {
    if (files.length > 0) throw new Error('--write-pending needs a run of the whole suite');
    const written = writePending(results, readPending());
    process.stdout.write(`pending.json: ${Object.keys(written).length} files\n`);
  }
  process.exitCode = total.failed > 0 || total.failedFiles > 0 ? 1 : 0;
}

main();
