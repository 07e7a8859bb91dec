// Entry point of `tswasm-shim` (alias `tswasm`): the local command for running and debugging
// a Wasm module, a bundle or an OCI image without containerd.
const usage = `Usage: tswasm-shim <command> [options]

Run and debug WebAssembly (WASI preview1) programs the way the tswasm containerd shim runs them.

Commands:
  run [options] FILE.wasm [ARGS...]   run a module with WASI
  help                                print this help

Run 'tswasm-shim run --help' for the options of run.
`;

function main(argv: string[]): number {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  if (command === 'run') {
    // Loaded only here, so that --help stays fast.
    const { runCommand } = require('./run-command') as typeof import('./run-command');
    return runCommand(argv.slice(1));
  }
  process.stderr.write(`tswasm-shim: unknown command "${command}"\n${usage}`);
  return 2;
}

const status = main(process.argv.slice(2));
// Exit at once: a socket helper thread or the guest's leftovers must not keep the process up.
process.exit(status);
