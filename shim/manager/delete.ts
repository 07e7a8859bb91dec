// `containerd-shim-tswasm-v1 delete`: containerd's clean-up after a task, run after every
// deletion and when the daemon is gone. It answers DeleteResponse{pid 1, 137, now} like runc,
// unmounts <bundle>/rootfs, and touches nothing of other containers (nor a daemon that still
// serves them), so running it twice is harmless.
import * as path from 'path';
import * as pb from '../../proto';
import { unmountAll } from '../mount';

export function deleteBundle(bundle: string): Uint8Array {
  unmountAll(path.join(bundle, 'rootfs'));
  return pb.DeleteResponse.encode({ pid: 1, exitStatus: 137, exitedAt: pb.timestampFromMs() });
}
