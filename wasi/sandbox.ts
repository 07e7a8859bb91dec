// Sandboxed path resolution. Every guest path is resolved relative to a directory fd, component
// by component (lstat, readlink) under that directory's /proc/self/fd/N entry, so nothing can
// name a place outside it: `..` above the directory, absolute paths, absolute symlinks and
// symlinks that climb out all fail with EPERM (what wasmtime returns, "not permitted"; older
// wasmtime said ENOTCAPABLE). Chains are followed to a limit (ELOOP). Because a component may
// be swapped for a symlink between our check and the use, the parent directory is then opened
// (O_NOFOLLOW) and its real path verified to lie inside the base directory, and the operation
// runs on `/proc/self/fd/<parent>/<name>`: the kernel resolves that through the opened parent,
// never through a path that can change. Opened files are verified the same way. Any doubt
// fails closed.
import * as fs from 'fs';
import { fail } from './errors';
import { Errno } from './spec';

/** Symlinks followed in one resolution before ELOOP (Linux's MAXSYMLINKS is 40). */
const MAX_SYMLINKS = 40;
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/** Path under which the kernel reaches an open fd's file (Linux). */
export function fdPath(hostFd: number): string {
  return `/proc/self/fd/${hostFd}`;
}

/** A resolved guest path: an anchored parent directory and one final name in it. */
export interface Resolved {
  /** `/proc/self/fd/P`: the parent directory, held open. */
  parent: string;
  /** Final component, without slashes; '.' when the path names the base directory itself. */
  name: string;
  /** `parent/name`, the path every host call uses. */
  path: string;
  /** The guest path ended in '/': the final component must be a directory. */
  trailingSlash: boolean;
  /** Host fd of the parent we opened (closed by release), or -1 when the parent is the base fd. */
  parentFd: number;
}

/** Closes what resolve() opened. */
export function release(resolved: Resolved): void {
  if (resolved.parentFd >= 0) fs.closeSync(resolved.parentFd);
  resolved.parentFd = -1;
}

/** Real path of an open fd, or undefined when the kernel cannot name it. */
function realPathOf(hostFd: number): string | undefined {
  try {
    return fs.realpathSync.native(fdPath(hostFd));
  } catch {
    return undefined;
  }
}

/** Whether `inner` is `outer` or lies below it. */
function isWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  const prefix = outer.endsWith('/') ? outer : outer + '/';
  return inner.startsWith(prefix);
}

/** Fails closed unless open host fd `hostFd` is (inside) the directory open as `baseFd`. */
export function verifyInside(hostFd: number, baseFd: number): void {
  const root = realPathOf(baseFd);
  const real = realPathOf(hostFd);
  if (root === undefined || real === undefined || !isWithin(real, root)) throw fail(Errno.PERM);
}

/**
 * Resolves `guestPath` under the directory open as host fd `baseFd`. With `followFinal`,
 * a symlink in the last position is followed too (lookupflags SYMLINK_FOLLOW); intermediate
 * symlinks always are. Call release() on the result.
 */
export function resolve(baseFd: number, guestPath: string, followFinal: boolean): Resolved {
  if (guestPath.length === 0) throw fail(Errno.NOENT);
  if (guestPath.includes('\0')) throw fail(Errno.ILSEQ);
  if (guestPath.startsWith('/')) throw fail(Errno.PERM);
  const base = fdPath(baseFd);
  const trailingSlash = guestPath.endsWith('/');
  const pending = guestPath.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  let mustBeDir = trailingSlash;
  while (pending.length > 0) {
    const component = pending.shift() as string;
    const last = pending.length === 0;
    if (component === '..') {
      if (done.length === 0) throw fail(Errno.PERM); // climbs above the base directory
      done.pop();
      continue;
    }
    if (last && !followFinal && !mustBeDir) {
      done.push(component);
      break;
    }
    const hostPath = base + '/' + [...done, component].join('/');
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(hostPath);
    } catch (error) {
      if (last && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        done.push(component); // a name to create
        break;
      }
      throw error;
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw fail(Errno.LOOP);
      const target = fs.readlinkSync(hostPath);
      if (target.length === 0) throw fail(Errno.NOENT);
      if (target.startsWith('/')) throw fail(Errno.PERM); // absolute symlink: leaves the sandbox
      if (last && target.endsWith('/')) mustBeDir = true;
      pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
      continue;
    }
    if (!last && !stats.isDirectory()) throw fail(Errno.NOTDIR);
    if (last && mustBeDir && !stats.isDirectory()) throw fail(Errno.NOTDIR);
    done.push(component);
  }
  const name = done.pop() ?? '.';
  if (done.length === 0) {
    return { parent: base, name, path: `${base}/${name}`, trailingSlash, parentFd: -1 };
  }
  // Anchor the parent: open it without following a final symlink, then check where it really is.
  const parentFd = fs.openSync(base + '/' + done.join('/'), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    verifyInside(parentFd, baseFd);
  } catch (error) {
    fs.closeSync(parentFd);
    throw error;
  }
  const parent = fdPath(parentFd);
  return { parent, name, path: `${parent}/${name}`, trailingSlash, parentFd };
}

/** Runs `use` on the resolved path and releases it afterwards. */
export function withResolved<T>(
  baseFd: number,
  guestPath: string,
  followFinal: boolean,
  use: (resolved: Resolved) => T,
): T {
  const resolved = resolve(baseFd, guestPath, followFinal);
  try {
    return use(resolved);
  } finally {
    release(resolved);
  }
}
