// Entry point of `tswasm-shim` (alias `tswasm`): the local command for running and debugging
// a Wasm module, a bundle or an OCI image without containerd.
const usage = `Usage: tswasm-shim <command> [options]

Run and debug WebAssembly (WASI preview1) programs the way the tswasm containerd shim runs them.

Commands:
  run [options] FILE.wasm|BUNDLE|IMAGE [ARGS...]   run a module, an OCI bundle or an OCI image
  inspect [options] FILE.wasm|BUNDLE|IMAGE         print what would run, and check the module
  help                                             print this help

Run 'tswasm-shim run --help' or 'tswasm-shim inspect --help' for their options.
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  // Commands are loaded only when used, so that --help stays fast.
  if (command === 'run') {
    const { runCommand } = require('./run-command') as typeof import('./run-command');
    return runCommand(argv.slice(1));
  }
  if (command === 'inspect') {
    const { inspectCommand } = require('./inspect') as typeof import('./inspect');
    return inspectCommand(argv.slice(1));
  }
  process.stderr.write(`tswasm-shim: unknown command "${command}"\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  // Exit at once: a socket helper thread or the guest's leftovers must not keep the process up.
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(
      `tswasm-shim: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exit(70);
  },
);
