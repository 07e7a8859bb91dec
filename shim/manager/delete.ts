// `containerd-shim-tswasm-v1 delete`: containerd's clean-up after a task, run after every
// deletion and when the daemon is gone. It answers DeleteResponse{pid 1, 137, now} like runc,
// unmounts <bundle>/rootfs, removes the group's socket only when no daemon answers on it any
// more (a daemon that was killed), and touches nothing of other containers nor a daemon that
// still serves them, so running it twice is harmless.
import * as fs from 'fs';
import * as path from 'path';
import { unmountAll } from '../mount';
import { socketAnswers, socketPathOf } from '../ttrpc/socket';

export async function deleteBundle(bundle: string): Promise<Uint8Array> {
  unmountAll(path.join(bundle, 'rootfs'));
  await removeDeadSocket(bundle);
  return encodeDeleteResponse(1, 137, Date.now());
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

/**
 * `DeleteResponse {pid=1, exit_status=2, exited_at=3 (Timestamp {seconds=1, nanos=2})}`,
 * encoded here: three varints are not worth loading the protobuf runtime into a process that
 * containerd waits for after every task.
 */
export function encodeDeleteResponse(pid: number, exitStatus: number, atMs: number): Uint8Array {
  const seconds = Math.floor(atMs / 1000);
  const nanos = Math.round((atMs - seconds * 1000) * 1e6);
  const timestamp = [...field(1, seconds), ...field(2, nanos)];
  return Uint8Array.from([
    ...field(1, pid),
    ...field(2, exitStatus),
    (3 << 3) | 2,
    ...varint(timestamp.length),
    ...timestamp,
  ]);
}

/** A varint field (wire type 0); zero is left out, as proto3 does. */
function field(number: number, value: number): number[] {
  return value === 0 ? [] : [number << 3, ...varint(value)];
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}
