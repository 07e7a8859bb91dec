// Runs the shim's bundle with a V8 code cache kept beside it (`<bundle>.v8cache`). `start`
// boots the daemon through this file: the daemon is the one process on containerd's path that
// we launch ourselves, and compiling the bundle is a good part of its boot. The cache is keyed
// by the bundle's size and mtime, node's version and flags; a missing, stale or rejected cache
// only means a normal compile, and the daemon then writes a fresh one (when dist/ is writable).
// Usage: node [flags] cached-boot.js <bundle.js> [args...]   (the bundle sees argv[1] = itself)
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** How long after boot the cache is written, if the process has not exited before. */
const writeAfterMs = 2000;

/** What a cache must have been made for: this exact bundle file, node and flags. */
export function cacheKey(bundle: string): string {
  const stat = fs.statSync(bundle);
  return JSON.stringify([stat.size, stat.mtimeMs, process.version, process.execArgv]);
}

/** The cached data for `key` in `cacheFile`, or undefined (absent, or made for another key). */
export function readCache(cacheFile: string, key: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0 || bytes.subarray(0, newline).toString() !== key) return undefined;
  return bytes.subarray(newline + 1);
}

/** Writes the cache atomically (another daemon may be writing the same file); quiet on failure. */
export function writeCache(cacheFile: string, key: string, data: Buffer): void {
  const temporary = `${cacheFile}.${process.pid}`;
  try {
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${key}\n`), data]));
    fs.renameSync(temporary, cacheFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** Loads `bundle` as a CommonJS main module, through the code cache. */
export function bootCached(bundle: string): void {
  const cacheFile = `${bundle}.v8cache`;
  const key = cacheKey(bundle);
  const cachedData = readCache(cacheFile, key);
  const source = fs.readFileSync(bundle, 'utf8');
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // after the first Create has run, the cache holds the functions it compiled too
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeCache(cacheFile, key, script.createCachedData());
    };
    setTimeout(write, writeAfterMs).unref();
    process.once('exit', write);
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, filename: bundle, id: '.', loaded: false };
  run(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
}

if (require.main === module) {
  const bundle = path.resolve(process.argv[2]);
  process.argv.splice(1, 1); // argv[1] is the bundle, as when node runs it directly
  bootCached(bundle);
}
