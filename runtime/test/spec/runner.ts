// Runs one converted spec script against a WebAssembly-compatible API object and counts, per
// command, what passed, failed or was skipped. Semantics follow the reference interpreter's
// JS harness: traps are `RuntimeError`s, link failures `LinkError`s, rejected modules
// `CompileError`s (and `validate` false); stack exhaustion may surface as V8's `RangeError` or
// as a `RuntimeError`. Text-format `assert_malformed` modules are skipped (only the binary
// decoder is under test). Calls whose values cannot cross the JS API exactly go through
// wrapper modules (see wrapper.ts).
import * as fs from 'fs';
import * as path from 'path';
import type { WasmApi, WasmExports, WasmGlobal, WasmInstance } from './engine-api';
import type { Action, Command, Script, WastType, WastValue } from './script';
import { spectestModule } from './spectest';
import {
  HostRefs,
  matches,
  needsWrapper,
  showActual,
  showExpected,
  slotFromJs,
  toJs,
} from './values';
import { Wrappers } from './wrapper';

export interface Failure {
  line: number;
  message: string;
}

export interface FileResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: Failure[];
  /**
   * Expected errors whose message does not contain the script's text (e.g. "integer divide by
   * zero"). Not failures: the JS API leaves messages free; reported for engines that aim to
   * use the spec's wording.
   */
  wrongMessages: Failure[];
  ms: number;
}

/** Thrown inside the runner for a failed check; anything else thrown is a failure too. */
class CheckFailed extends Error {}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `thrown ${typeof e}: ${String(e)}`;
}

function showAction(action: Action): string {
  const target = action.module ? `${action.module}.${action.field}` : action.field;
  if (action.type === 'get') return `get ${target}`;
  return `invoke ${target}(${action.args.map(showExpected).join(', ')})`;
}

export class ScriptRunner {
  private readonly refs = new HostRefs();
  private readonly wrappers: Wrappers;
  private readonly named = new Map<string, WasmInstance>();
  private readonly registry = new Map<string, WasmExports>();
  private current: WasmInstance | undefined;
  private readonly importObject: object;
  private wrongMessages: Failure[] = [];
  private line = 0;

  constructor(
    private readonly api: WasmApi,
    private readonly script: Script,
  ) {
    this.wrappers = new Wrappers(api, this.refs);
    this.registry.set('spectest', spectestModule(api));
    // unknown module names resolve to an empty namespace, so a missing import is a LinkError
    this.importObject = new Proxy(
      {},
      {
        get: (_target, name) =>
          (typeof name === 'string' ? this.registry.get(name) : undefined) ?? {},
      },
    );
  }

  run(): FileResult {
    const started = performance.now();
    const result: FileResult = {
      name: this.script.name,
      passed: 0,
      failed: 0,
      skipped: 0,
      failures: [],
      wrongMessages: [],
      ms: 0,
    };
    this.wrongMessages = result.wrongMessages;
    for (const command of this.script.commands) {
      if (command.type === 'assert_malformed' && command.module_type === 'text') {
        result.skipped++;
        continue;
      }
      this.line = command.line;
      try {
        this.execute(command);
        result.passed++;
      } catch (e) {
        result.failed++;
        const message =
          e instanceof CheckFailed ? e.message : `${command.type}: ${describeError(e)}`;
        result.failures.push({ line: command.line, message });
      }
    }
    result.ms = performance.now() - started;
    return result;
  }

  private execute(command: Command): void {
    switch (command.type) {
      case 'module': {
        // a module that fails leaves no current module behind, as in the reference
        this.current = undefined;
        if (command.name) this.named.delete(command.name);
        let instance: WasmInstance;
        try {
          instance = this.instantiate(command.filename);
        } catch (e) {
          throw new CheckFailed(`module ${command.filename}: ${describeError(e)}`);
        }
        this.current = instance;
        if (command.name) this.named.set(command.name, instance);
        return;
      }
      case 'register': {
        const instance = command.name ? this.named.get(command.name) : this.current;
        if (!instance)
          throw new CheckFailed(`register ${command.as}: no module ${command.name ?? ''}`);
        this.registry.set(command.as, instance.exports);
        return;
      }
      case 'action':
        this.perform(command.action, command.expected);
        return;
      case 'assert_return':
        return this.assertReturn(command.action, command.expected);
      case 'assert_trap':
      case 'assert_exhaustion': {
        const what = command.type === 'assert_trap' ? 'trap' : 'exhaustion';
        let results: unknown[];
        try {
          results = this.perform(command.action, command.expected);
        } catch (e) {
          if (e instanceof CheckFailed) throw e;
          const ok =
            e instanceof this.api.RuntimeError ||
            (command.type === 'assert_exhaustion' && e instanceof RangeError);
          if (ok) return this.checkMessage(e, command.text);
          throw new CheckFailed(
            `${showAction(command.action)}: expected ${what} "${command.text}", got ${describeError(e)}`,
          );
        }
        const shown = results.map((r, i) => showActual(command.expected[i], r)).join(', ');
        throw new CheckFailed(
          `${showAction(command.action)}: expected ${what} "${command.text}", returned [${shown}]`,
        );
      }
      case 'assert_invalid':
      case 'assert_malformed': {
        const bytes = this.bytes(command.filename);
        const label = `${command.type} ${command.filename} ("${command.text}")`;
        let validated: boolean;
        try {
          validated = this.api.validate(bytes);
        } catch (e) {
          throw new CheckFailed(`${label}: validate threw ${describeError(e)}`);
        }
        try {
          new this.api.Module(bytes);
        } catch (e) {
          if (!(e instanceof this.api.CompileError)) {
            throw new CheckFailed(`${label}: expected CompileError, got ${describeError(e)}`);
          }
          if (validated) throw new CheckFailed(`${label}: validate() returned true`);
          return this.checkMessage(e, command.text);
        }
        throw new CheckFailed(`${label}: module compiled`);
      }
      case 'assert_unlinkable':
      case 'assert_uninstantiable': {
        const label = `${command.type} ${command.filename} ("${command.text}")`;
        const expected =
          command.type === 'assert_unlinkable' ? this.api.LinkError : this.api.RuntimeError;
        let module: object;
        try {
          module = new this.api.Module(this.bytes(command.filename));
        } catch (e) {
          throw new CheckFailed(`${label}: did not compile: ${describeError(e)}`);
        }
        try {
          new this.api.Instance(module, this.importObject);
        } catch (e) {
          if (e instanceof expected) return this.checkMessage(e, command.text);
          throw new CheckFailed(`${label}: expected ${expected.name}, got ${describeError(e)}`);
        }
        throw new CheckFailed(`${label}: instantiated`);
      }
    }
  }

  private checkMessage(error: unknown, text: string): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!message.includes(text)) {
      this.wrongMessages.push({ line: this.line, message: `expected "${text}", got "${message}"` });
    }
  }

  private bytes(filename: string): Uint8Array {
    return new Uint8Array(fs.readFileSync(path.join(this.script.dir, filename)));
  }

  private instantiate(filename: string): WasmInstance {
    return new this.api.Instance(new this.api.Module(this.bytes(filename)), this.importObject);
  }

  private assertReturn(action: Action, expected: WastValue[]): void {
    const results = this.perform(action, expected);
    const wrong =
      results.length !== expected.length ||
      expected.some((value, i) => !matches(value, results[i], this.refs));
    if (!wrong) return;
    const got = results.map((r, i) =>
      i < expected.length ? showActual(expected[i], r) : String(r),
    );
    throw new CheckFailed(
      `${showAction(action)}: expected [${expected.map(showExpected).join(', ')}], got [${got.join(', ')}]`,
    );
  }

  /** Runs an action; returns one observed value per result (slot bytes or a reference). */
  private perform(action: Action, expected: WastValue[]): unknown[] {
    const instance = action.module ? this.named.get(action.module) : this.current;
    if (!instance) throw new CheckFailed(`${showAction(action)}: no module ${action.module ?? ''}`);
    const target = instance.exports[action.field];
    const resultTypes: WastType[] = expected.map((e) => e.type);
    if (action.type === 'get') {
      if (typeof target !== 'object' || target === null || !('value' in target)) {
        throw new CheckFailed(`${showAction(action)}: export is not a global`);
      }
      return [this.observe(resultTypes[0], (target as WasmGlobal).value)];
    }
    if (typeof target !== 'function') {
      throw new CheckFailed(`${showAction(action)}: export is not a function`);
    }
    if (action.args.some(needsWrapper) || expected.some(needsWrapper)) {
      return this.wrappers.call(target, action.args, resultTypes);
    }
    const returned: unknown = target(...action.args.map((a) => toJs(a, this.refs)));
    let values: unknown[];
    if (resultTypes.length === 0) values = [];
    else if (resultTypes.length === 1) values = [returned];
    else values = Array.from(returned as Iterable<unknown>);
    return values.map((v, i) => (i < resultTypes.length ? this.observe(resultTypes[i], v) : v));
  }

  private observe(type: WastType, value: unknown): unknown {
    if (type === 'externref' || type === 'funcref') return value;
    const slot = slotFromJs(type, value);
    return typeof slot === 'string' ? `<${slot}>` : slot;
  }
}

/** Runs one script on `api`. */
export function runScript(api: WasmApi, script: Script): FileResult {
  return new ScriptRunner(api, script).run();
}
