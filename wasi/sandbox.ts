// Sandboxed path resolution. Every guest path is resolved relative to a directory fd,
// component by component (lstat, readlink), each name looked up inside the directory the walk
// holds open, so nothing can name a place outside the base: `..` above it, absolute paths,
// absolute symlinks and symlinks that climb out all fail with EPERM (what wasmtime returns,
// "not permitted"; older wasmtime said ENOTCAPABLE); chains are followed to a limit (ELOOP).
// Node has no openat(2), so `/proc/self/fd/<dir>/<name>` stands in for it: the kernel resolves
// that through the open directory, never through a path that can change under us. Every host
// call then acts on one name in one held directory, and a file path_open opened is checked once
// more by its real path (/proc/self/fd/N) before the guest gets it. Any doubt fails closed.
import * as fs from 'fs';
import { fail } from './errors';
import { Errno } from './spec';

/** Symlinks followed in one resolution before ELOOP (Linux's MAXSYMLINKS is 40). */
const MAX_SYMLINKS = 40;
const { O_DIRECTORY, O_NOFOLLOW } = fs.constants;
/** Linux O_PATH: a handle for lookups only (Node does not export the constant). */
const O_PATH = 0o10000000;

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
  /** lstat of the final component when the walk took it (bigint, as filestat needs). */
  stats?: fs.BigIntStats;
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
 *
 * The walk holds every directory it passes open (O_PATH, never following a symlink) and looks
 * each next name up inside the held directory (`/proc/self/fd/D/name`), like openat(2): a
 * component renamed or swapped for a symlink meanwhile cannot redirect the walk; at worst the
 * open of a swapped component fails (ENOTDIR/ELOOP), which fails the call closed.
 */
export function resolve(baseFd: number, guestPath: string, followFinal: boolean): Resolved {
  if (guestPath.length === 0) throw fail(Errno.NOENT);
  if (guestPath.includes('\0')) throw fail(Errno.ILSEQ);
  if (guestPath.startsWith('/')) throw fail(Errno.PERM);
  const trailingSlash = guestPath.endsWith('/');
  const pending = guestPath.split('/').filter((c) => c !== '' && c !== '.');
  const held: number[] = []; // directories below the base, innermost last
  const current = (): number => (held.length > 0 ? held[held.length - 1] : baseFd);
  let links = 0;
  let mustBeDir = trailingSlash;
  let name = '.'; // a path that ends on a directory names that directory itself
  let finalStats: fs.BigIntStats | undefined;
  try {
    while (pending.length > 0) {
      const component = pending.shift() as string;
      const last = pending.length === 0;
      if (component === '..') {
        if (held.length === 0) throw fail(Errno.PERM); // climbs above the base directory
        fs.closeSync(held.pop() as number);
        continue;
      }
      if (last && !followFinal && !mustBeDir) {
        name = component;
        break;
      }
      const at = `${fdPath(current())}/${component}`;
      let stats: fs.Stats | fs.BigIntStats;
      try {
        stats = last ? (finalStats = fs.lstatSync(at, { bigint: true })) : fs.lstatSync(at);
      } catch (error) {
        if (last && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          name = component; // a name to create
          break;
        }
        throw error;
      }
      if (stats.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) throw fail(Errno.LOOP);
        const target = fs.readlinkSync(at);
        if (target.length === 0) throw fail(Errno.NOENT);
        if (target.startsWith('/')) throw fail(Errno.PERM); // absolute symlink: leaves the sandbox
        if (last && target.endsWith('/')) mustBeDir = true;
        pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
        continue;
      }
      if (last) {
        if (mustBeDir && !stats.isDirectory()) throw fail(Errno.NOTDIR);
        name = component;
        break;
      }
      if (!stats.isDirectory()) throw fail(Errno.NOTDIR);
      held.push(fs.openSync(at, O_PATH | O_DIRECTORY | O_NOFOLLOW));
    }
  } catch (error) {
    for (const fd of held) fs.closeSync(fd);
    throw error;
  }
  // Keep the innermost directory open as the parent; the ones above it are not needed.
  const parentFd = held.pop() ?? -1;
  for (const fd of held) fs.closeSync(fd);
  const parent = fdPath(parentFd >= 0 ? parentFd : baseFd);
  const stats = finalStats && !finalStats.isSymbolicLink() ? finalStats : undefined;
  return { parent, name, path: `${parent}/${name}`, trailingSlash, parentFd, stats };
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
