// The spec suite's test scripts: finding the .wast files, converting each with wabt's
// `wast2json` into a cache under build/spec/ (only when the .wast is newer than the cached
// JSON), and the types of the JSON commands wast2json 1.0.32 writes.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A value as wast2json writes it: numbers are unsigned decimal bit patterns. */
export type ScalarValue =
  | { type: 'i32' | 'i64' | 'f32' | 'f64'; value?: string }
  | { type: 'externref' | 'funcref'; value?: string };
export interface V128Value {
  type: 'v128';
  lane_type?: LaneType;
  value?: string[];
}
export type LaneType = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';
export type WastValue = ScalarValue | V128Value;
export type WastType = WastValue['type'];

export type Action =
  | { type: 'invoke'; module?: string; field: string; args: WastValue[] }
  | { type: 'get'; module?: string; field: string };

interface Located {
  line: number;
}
interface ModuleFile extends Located {
  filename: string;
  text: string;
  module_type: 'binary' | 'text';
}

export type Command =
  | (Located & { type: 'module'; filename: string; name?: string })
  | (Located & { type: 'register'; as: string; name?: string })
  | (Located & { type: 'action'; action: Action; expected: WastValue[] })
  | (Located & { type: 'assert_return'; action: Action; expected: WastValue[] })
  | (Located & { type: 'assert_trap'; action: Action; text: string; expected: WastValue[] })
  | (Located & { type: 'assert_exhaustion'; action: Action; text: string; expected: WastValue[] })
  | (ModuleFile & { type: 'assert_invalid' })
  | (ModuleFile & { type: 'assert_malformed' })
  | (ModuleFile & { type: 'assert_unlinkable' })
  | (ModuleFile & { type: 'assert_uninstantiable' });

export interface Script {
  /** File name of the .wast, e.g. `i32.wast`. */
  name: string;
  /** Folder holding the JSON and the module files it names. */
  dir: string;
  commands: Command[];
}

/** Walks up from this file to the folder holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** The suite checkout: $WASM_TESTSUITE_DIR, else ../shared/wasm-testsuite beside the repo. */
export function suiteDir(): string {
  return (
    process.env.WASM_TESTSUITE_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'wasm-testsuite')
  );
}

/** The core suite: every .wast at the top level of the suite (proposals/ excluded), sorted. */
export function coreScripts(dir = suiteDir()): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.wast'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Converts one .wast (cached) and reads its commands. */
export function loadScript(
  wastPath: string,
  cacheRoot = path.join(repoRoot(), 'build', 'spec'),
): Script {
  const name = path.basename(wastPath);
  const base = name.replace(/\.wast$/, '');
  const dir = path.join(cacheRoot, base);
  const json = path.join(dir, `${base}.json`);
  if (!fs.existsSync(json) || fs.statSync(json).mtimeMs < fs.statSync(wastPath).mtimeMs) {
    // convert into a fresh folder, then swap it in, so an interrupted run leaves no half cache
    const fresh = `${dir}.tmp${process.pid}`;
    fs.rmSync(fresh, { recursive: true, force: true });
    fs.mkdirSync(fresh, { recursive: true });
    execFileSync('wast2json', [wastPath, '-o', path.join(fresh, `${base}.json`)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(fresh, dir);
  }
  const parsed = JSON.parse(fs.readFileSync(json, 'utf8')) as { commands: Command[] };
  return { name, dir, commands: parsed.commands };
}
