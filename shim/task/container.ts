// One container the daemon hosts: its bundle, its run plan, its mounted rootfs, its init
// process and its exec'd processes.
import type { RunPlan } from '../../oci/plan';
import { alreadyExists, notFound } from '../errors';
import type { Process } from './process';

export class Container {
  readonly execs = new Map<string, Process>();

  constructor(
    readonly id: string,
    readonly bundle: string,
    readonly plan: RunPlan,
    readonly init: Process,
    /** Where Create mounted the rootfs; undefined when the bundle came with it. */
    readonly mountedRootfs: string | undefined,
  ) {}

  /** The init process for '' or the exec with that id. */
  process(execId: string): Process {
    if (execId === '') return this.init;
    const found = this.execs.get(execId);
    if (found === undefined) throw notFound(`exec ${execId} not found in container ${this.id}`);
    return found;
  }

  addExec(process: Process): void {
    if (process.execId === '' || this.execs.has(process.execId))
      throw alreadyExists(`exec ${process.execId} already exists in container ${this.id}`);
    this.execs.set(process.execId, process);
  }

  /** Every process, init first. */
  all(): Process[] {
    return [this.init, ...this.execs.values()];
  }
}
