// Entry point of `containerd-shim-tswasm-v1`, the binary containerd starts for runtime
// io.containerd.tswasm.v1. It only parses the command line and hands over to the manager.
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
`;

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  process.stderr.write(usage);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
