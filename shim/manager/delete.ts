// `containerd-shim-tswasm-v1 delete`: containerd's clean-up after a task, run after every
// deletion and when the daemon is gone. It answers DeleteResponse{pid 1, 137, now} like runc,
// unmounts <bundle>/rootfs, removes the group's socket only when no daemon answers on it any
// more (a daemon that was killed), and touches nothing of other containers nor a daemon that
// still serves them, so running it twice is harmless.
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { unmountAll } from '../mount';
import { socketAnswers, socketPathOf } from '../ttrpc/socket';

export async function deleteBundle(bundle: string): Promise<Uint8Array> {
  unmountAll(path.join(bundle, 'rootfs'));
  await removeDeadSocket(bundle);
  return pb.DeleteResponse.encode({ pid: 1, exitStatus: 137, exitedAt: pb.timestampFromMs() });
}

async function removeDeadSocket(bundle: string): Promise<void> {
  let socket: string;
  try {
    socket = socketPathOf(fs.readFileSync(path.join(bundle, 'address'), 'utf8').trim());
  } catch {
    return; // no address file: nothing of ours to clean
  }
  if (!fs.existsSync(socket) || (await socketAnswers(socket, 500))) return;
  fs.rmSync(socket, { force: true });
}
