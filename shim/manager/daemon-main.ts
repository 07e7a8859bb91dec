// Entry point of the shim daemon process, bundled alone as
// dist/bin/containerd-shim-tswasm-v1-daemon.js: `start` spawns it (through cached-boot.js), and
// the start/delete binary never loads what it loads (the Task service, ttrpc, protobuf, gRPC).
import { serve } from './serve';

serve(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`containerd-shim-tswasm-v1-daemon: ${err.message}\n`);
  process.exit(2);
});
