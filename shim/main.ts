// Entry point of `containerd-shim-tswasm-v1`, the binary containerd starts for runtime
// io.containerd.tswasm.v1. It only parses the command line and hands over to the manager.
// containerd waits for `start` and `delete` on every `ctr run`, so this bundle holds only them:
// the daemon they spawn is another bundle (manager/daemon-main.ts). bin/containerd-shim-tswasm-v1
// answers the common start and delete cases in sh before Node is even started.
const usage = `Usage: containerd-shim-tswasm-v1 [flags] start|delete

The containerd shim for WebAssembly (WASI preview1) containers, runtime io.containerd.tswasm.v1.
containerd starts it; you rarely run it by hand.

Flags (Go flag syntax: -x v, -x=v, --x):
  -namespace NS        containerd namespace
  -address SOCK        containerd's gRPC address
  -publish-binary BIN  binary used to publish events (unused: events go over ttrpc)
  -id ID               container id
  -bundle DIR          bundle directory (delete)
  -debug               log at debug level
  -v                   print the version and exit

Actions:
  start    find or start the shim daemon for this container's group; print its address
  delete   clean up after a container whose daemon is gone; print a DeleteResponse

Grouping: containers with the same io.containerd.tswasm.v1.group annotation, else the same
io.kubernetes.cri.sandbox-id, share one daemon. Set TSWASM_SHIM_GROUPING=namespace in
containerd's environment to host every container of a namespace in one daemon.
TSWASM_ENGINE=v8 runs modules on V8's built-in WebAssembly instead of tswasm's engine.
TSWASM_SHIM_PROTOCOL=grpc serves gRPC instead of ttrpc where containerd takes it (1.7+).
TSWASM_SHIM_SPARE=1 keeps one daemon booted ahead of need per namespace, which the next start
takes over (faster starts, one idle daemon left behind for up to 5 minutes).
bin/containerd-shim-tswasm-v1 answers common starts and deletes in sh; TSWASM_SHIM_LAUNCHER=node
sends every call to Node.
`;

const flagSpec = {
  strings: ['namespace', 'address', 'publish-binary', 'id', 'bundle'],
  booleans: ['debug', 'v', 'version', 'help', 'h'],
};

async function main(argv: string[]): Promise<number> {
  // the flag parser is small; everything else loads only for the action that needs it
  const { parseFlags, FlagError } = await import('./flags');
  let flags;
  try {
    flags = parseFlags(argv, flagSpec);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\n${usage}`);
    return 2;
  }
  if (flags.booleans.has('help') || flags.booleans.has('h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (flags.booleans.has('v') || flags.booleans.has('version')) {
    process.stdout.write(`containerd-shim-tswasm-v1 ${version}\n`);
    return 0;
  }
  const flag = (name: string) => flags.strings.get(name) ?? '';
  const debug = flags.booleans.has('debug');
  const namespace = flag('namespace') || process.env.NAMESPACE || '';
  switch (flags.rest[0]) {
    case 'start': {
      const { start, drainStdin } = await import('./manager/start');
      const [address] = await Promise.all([
        start({
          namespace,
          address: flag('address'),
          id: flag('id'),
          debug,
          bundle: process.cwd(),
          env: process.env,
          self: { execPath: process.execPath },
        }),
        drainStdin(),
      ]);
      process.stdout.write(address);
      return 0;
    }
    case 'delete': {
      const { deleteBundle } = await import('./manager/delete');
      const response = await deleteBundle(flag('bundle') || process.cwd());
      process.stdout.write(response);
      return 0;
    }
    default:
      process.stderr.write(usage);
      return 2;
  }
}

const version = '0.1.0';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`containerd-shim-tswasm-v1: ${err.message}\n`);
    process.exitCode = 1;
  },
);
