// Command-line parsing in Go's `flag` syntax, which is what containerd speaks to shims:
// `-x v`, `-x=v`, `--x v`, `--x=v`; boolean flags take no value (`-debug`, or `-debug=false`);
// `--` or the first non-flag ends the flags.

export interface FlagSpec {
  /** Flags that take a value. */
  strings: readonly string[];
  /** Flags that are true when present. */
  booleans: readonly string[];
}

export interface ParsedFlags {
  strings: Map<string, string>;
  booleans: Set<string>;
  /** What follows the flags: the action and its arguments. */
  rest: string[];
}

export class FlagError extends Error {
  override name = 'FlagError';
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const parsed: ParsedFlags = { strings: new Map(), booleans: new Set(), rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('='))
      throw new FlagError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (spec.booleans.includes(name)) {
      if (inline === undefined || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(inline))
        parsed.booleans.add(name);
      else if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(inline))
        parsed.booleans.delete(name);
      else throw new FlagError(`invalid boolean value "${inline}" for -${name}`);
    } else if (spec.strings.includes(name)) {
      if (inline !== undefined) parsed.strings.set(name, inline);
      else if (i + 1 < argv.length) parsed.strings.set(name, argv[++i]);
      else throw new FlagError(`flag needs an argument: -${name}`);
    } else {
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
  }
  parsed.rest = argv.slice(i);
  return parsed;
}
