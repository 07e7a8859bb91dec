// Mounting a container's rootfs from the mounts containerd's snapshotter gives in Create
// (bind or overlay, like runc's shim), and unmounting it. Node has no mount(2), so we run
// util-linux `mount` / `umount`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';

export interface MountSpec {
  type: string;
  source: string;
  options: string[];
}

export class MountError extends Error {
  override name = 'MountError';
}

/** Mounts each entry onto `target`, in order (later ones stack on earlier ones). */
export function mountAll(mounts: readonly MountSpec[], target: string): void {
  const done: number[] = [];
  for (const m of mounts) {
    const args = mountArgs(m, target);
    const result = spawnSync('mount', args, { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      if (done.length > 0) unmountAll(target);
      const why = (result.stderr || result.error?.message || '').trim();
      throw new MountError(`mount ${args.join(' ')} failed: ${why}`);
    }
    done.push(1);
  }
}

/** The `mount` command line for one entry. */
export function mountArgs(m: MountSpec, target: string): string[] {
  const options = m.options.filter((o) => o !== '');
  const isBind = m.type === 'bind' || options.includes('bind') || options.includes('rbind');
  if (isBind) {
    // `mount -o bind` ignores -t; rbind and ro are understood in the option list
    if (!options.includes('bind') && !options.includes('rbind')) options.unshift('rbind');
    return ['-o', options.join(','), m.source, target];
  }
  const args = ['-t', m.type];
  if (options.length > 0) args.push('-o', options.join(','));
  args.push(m.source || m.type, target);
  return args;
}

/** Unmounts everything stacked on `target`; quiet when nothing is mounted there. */
export function unmountAll(target: string): void {
  for (let i = 0; i < 16; i++) {
    if (!isMounted(target, readMountinfo())) return;
    const result = spawnSync('umount', [target], { encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) return;
  }
}

/** True when `target` is a mount point (from /proc/self/mountinfo). */
export function isMounted(target: string, mountinfo: string): boolean {
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === target);
}

function readMountinfo(): string {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}
