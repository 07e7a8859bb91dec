// Our ttrpc server answering containerd's own Go ttrpc client: `ctr shim` dials a shim socket
// directly (at /run/containerd/s/<sha256 of address/namespace/id>) and calls the Task API, so
// it checks framing, envelopes, message field numbers and error statuses against the real
// thing. Skipped when ctr is missing or /run/containerd/s is not ours to write.
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  DeleteResponse,
  StateRequest,
  StateResponse,
  Status,
  timestampFromMs,
} from '../../../proto';
import { TtrpcServer } from '../server';
import { RpcError, StatusCode } from '../status';

const CTR = '/usr/bin/ctr';
const SOCKET_DIR = '/run/containerd/s';
const available = fs.existsSync(CTR) && process.getuid?.() === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ctr without blocking the event loop (the server answering it lives in this process). */
function ctr(args: string[]): Promise<Run> {
  return new Promise((resolve) =>
    execFile(CTR, args, { timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

(available ? describe : describe.skip)(
  "ttrpc server with containerd's Go client (ctr shim)",
  () => {
    // ctr derives the shim socket from these, as containerd 1.6 does
    const address = '/tmp/tswasm-ttrpc-test/containerd.sock';
    const namespace = 'tswasm-ttrpc-test';
    const id = `c-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const hash = crypto
      .createHash('sha256')
      .update(path.join(address, namespace, id))
      .digest('hex');
    const socketPath = path.join(SOCKET_DIR, hash);
    const base = ['--address', address, '--namespace', namespace, 'shim', '--id', id];
    let server: TtrpcServer;
    const stateCalls: string[] = [];

    before(async () => {
      server = new TtrpcServer();
      const task = 'containerd.task.v2.Task';
      server.register(task, 'State', async (request) => {
        const req = StateRequest.decode(request);
        stateCalls.push(req.id);
        return StateResponse.encode({
          id: req.id,
          bundle: '/run/bundle',
          pid: 4242,
          status: Status.RUNNING,
          stdout: '/run/fifo/out',
          exitedAt: timestampFromMs(1_700_000_000_123),
        });
      });
      server.register(task, 'Start', async () => {
        throw new RpcError(StatusCode.FailedPrecondition, 'cannot start a running process');
      });
      server.register(task, 'Delete', async () =>
        DeleteResponse.encode({ pid: 1, exitStatus: 137, exitedAt: timestampFromMs() }),
      );
      await server.listen(socketPath);
    });

    after(async () => {
      await server.close(0);
    });

    it('answers State with a response Go decodes field for field', async () => {
      const run = await ctr([...base, 'state']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(stateCalls, [id]);
      assert.deepEqual(JSON.parse(run.stdout), {
        id,
        bundle: '/run/bundle',
        pid: 4242,
        status: 2,
        stdout: '/run/fifo/out',
        exited_at: '2023-11-14T22:13:20.123Z',
      });
    });

    it('answers with an error status Go reports with its code and message', async () => {
      const run = await ctr([...base, 'start']);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /rpc error: code = FailedPrecondition desc = cannot start a running process/,
      );
    });

    it('answers Delete with the exit status', async () => {
      const run = await ctr([...base, 'delete']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /returned exit status 137/);
    });
  },
);
