// Which daemon hosts a container, and where that daemon listens. Containers of one group share
// a daemon (as runc's shim groups a pod): the tswasm group annotation, else the CRI sandbox id,
// else the container's own id. TSWASM_SHIM_GROUPING=namespace in containerd's environment puts
// every container of a namespace in one daemon instead.
import { createHash } from 'crypto';
import * as path from 'path';
import { annotations } from '../../oci/plan';

/** Where sockets go: containerd's state root, as runc's shim uses it. */
export const defaultSocketDir = '/run/containerd/s';
/** sun_path holds 108 bytes; containerd keeps 106 usable. */
export const maxSocketPath = 106;

export type Grouping = 'sandbox' | 'namespace';

export function groupingFromEnv(env: NodeJS.ProcessEnv): Grouping {
  return env.TSWASM_SHIM_GROUPING === 'namespace' ? 'namespace' : 'sandbox';
}

/** The group a container belongs to, from its config.json annotations. */
export function groupOf(
  containerId: string,
  notes: Record<string, string> | undefined,
  grouping: Grouping,
): string {
  if (grouping === 'namespace') return '';
  return notes?.[annotations.group] || notes?.[annotations.sandboxId] || containerId;
}

/** `<dir>/<sha256 hex of address/namespace/group>`, like runc's shim socket names. */
export function socketPathFor(
  address: string,
  namespace: string,
  group: string,
  dir = defaultSocketDir,
): string {
  const digest = createHash('sha256')
    .update(path.join(address, namespace, group))
    .digest('hex');
  const socket = path.join(dir, digest);
  if (socket.length > maxSocketPath)
    throw new Error(`socket path ${socket} is longer than ${maxSocketPath} characters`);
  return socket;
}
