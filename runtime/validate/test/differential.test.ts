// Differential check against V8: valid spec-suite modules with a few bytes replaced (seeded,
// reproducible) must be accepted or rejected exactly as Node's own `WebAssembly.validate`
// decides. Body mutants replace bytes inside one function body in place, so section sizes
// stay intact and they exercise the instruction validator; the others mutate anywhere past
// the header and exercise the decoder and the module-level rules as well.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModule } from '../../binary/decoder';
import { WasmModule } from '../../model';
import { validateModule } from '../index';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const suiteDir =
  process.env.WASM_TESTSUITE_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'wasm-testsuite');

/** Files whose modules cover control flow, calls, references, tables, bulk memory and SIMD. */
const sources = [
  'block.wast',
  'br_table.wast',
  'call_indirect.wast',
  'select.wast',
  'unreached-valid.wast',
  'ref_func.wast',
  'table_init.wast',
  'memory_init.wast',
  'simd_lane.wast',
  'simd_load.wast',
  'local_tee.wast',
  'loop.wast',
];

/** Byte values likely to form interesting instructions when dropped into a body. */
const interesting = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x11, 0x1a, 0x1b, 0x1c, 0x20,
  0x25, 0x26, 0x40, 0x6f, 0x70, 0x7b, 0x7c, 0x7e, 0x7f, 0x80, 0xd0, 0xd1, 0xd2, 0xfc, 0xfd,
];

/** Mutant count and seed; raise them locally for a deeper search (CI keeps it ~1 s). */
const MUTANTS = Number(process.env.VALIDATE_DIFF_MUTANTS ?? 3000);
const SEED = Number(process.env.VALIDATE_DIFF_SEED ?? 20261124);

/** Node's own engine (the tsconfig's ES2022 lib has no WebAssembly typings). */
const v8 = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
  .WebAssembly;

/** Decodes and validates: undefined when valid, else the error message. */
function rejection(bytes: Uint8Array): string | undefined {
  try {
    validateModule(decodeModule(bytes));
    return undefined;
  } catch (e) {
    return String(e instanceof Error ? e.message : e);
  }
}

/**
 * Post-2.0 proposals Node 20's V8 ships, by the reason tswasm rejects their encodings: when
 * V8 accepts a mutant and tswasm rejects it for one of these, both are right.
 */
const postTwoPointZero: [feature: string, reason: RegExp][] = [
  ['tail calls: return_call, return_call_indirect', /^illegal opcode 0x1[23]\b/],
  [
    'exception handling: try, catch, throw, rethrow, delegate, catch_all',
    /^illegal opcode 0x(6|7|8|9|18|19)\b/,
  ],
  ['exception handling: the tag section', /^malformed section id/],
  ['threads: shared memory limits', /^integer too large \(memory section/],
  ['threads: atomics', /^illegal opcode 0xfe\b/],
];

function isPostTwoPointZero(reason: string): boolean {
  return postTwoPointZero.some(([, pattern]) => pattern.test(reason));
}

interface Original {
  bytes: Uint8Array;
  module: WasmModule;
}

/** The valid modules of `sources`, converted with wast2json into a temporary folder. */
function loadOriginals(): Original[] {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasm-val-diff-'));
  try {
    const originals: Original[] = [];
    for (const file of sources) {
      const json = path.join(outDir, file.replace(/\.wast$/, '.json'));
      execFileSync('wast2json', ['--no-check', path.join(suiteDir, file), '-o', json], {
        stdio: 'ignore',
      });
      const commands = (
        JSON.parse(fs.readFileSync(json, 'utf8')) as {
          commands: { type: string; filename?: string }[];
        }
      ).commands;
      for (const cmd of commands) {
        if (cmd.type !== 'module' || cmd.filename === undefined) continue;
        const bytes = new Uint8Array(fs.readFileSync(path.join(outDir, cmd.filename)));
        const module = decodeModule(bytes);
        if (module.codes.some((c) => c.end - c.start >= 2)) originals.push({ bytes, module });
      }
    }
    return originals;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Makes `count` mutants with `mutate` (given a seeded random source), and returns the first
 * disagreements with V8 and how many mutants tswasm accepted.
 */
function compareWithV8(
  count: number,
  mutate: (random: (n: number) => number) => Uint8Array,
): { disagreements: string[]; accepted: number } {
  let seed = SEED;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const disagreements: string[] = [];
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const bytes = mutate(random);
    const reason = rejection(bytes);
    const ours = reason === undefined;
    if (ours) accepted++;
    const theirs = v8.validate(bytes);
    if (theirs && reason !== undefined && isPostTwoPointZero(reason)) continue;
    if (ours !== theirs && disagreements.length < 5) {
      disagreements.push(
        `mutant ${i}: tswasm ${ours ? 'accepts' : 'rejects'}, V8 does not (${Buffer.from(bytes).toString('base64')})`,
      );
    }
  }
  return { disagreements, accepted };
}

/** Replaces one byte: random, one bit flipped, or a byte likely to form an instruction. */
function mutateByte(bytes: Uint8Array, at: number, random: (n: number) => number): void {
  const how = random(3);
  bytes[at] =
    how === 0
      ? random(256)
      : how === 1
        ? bytes[at] ^ (1 << random(8))
        : interesting[random(interesting.length)];
}

describe('validator: differential check against V8 on mutated modules', function () {
  let originals: Original[] = [];

  before(function () {
    if (!fs.existsSync(suiteDir)) this.skip();
    originals = loadOriginals();
  });

  it(`agrees with WebAssembly.validate on ${MUTANTS} seeded body mutants`, function () {
    const { disagreements, accepted } = compareWithV8(MUTANTS, (random) => {
      const original = originals[random(originals.length)];
      const bodies = original.module.codes.filter((c) => c.end - c.start >= 2);
      const body = bodies[random(bodies.length)];
      const bytes = original.bytes.slice();
      const edits = 1 + random(2);
      for (let e = 0; e < edits; e++) {
        mutateByte(bytes, body.start + random(body.end - body.start - 1), random); // keep the end
      }
      return bytes;
    });
    assert.deepEqual(disagreements, []);
    // Both verdicts must be well represented, or the check would prove little.
    assert.ok(accepted > MUTANTS / 10 && accepted < MUTANTS * 0.9, `${accepted} accepted`);
  });

  it(`agrees with WebAssembly.validate on ${MUTANTS} seeded mutants anywhere past the header`, function () {
    // These go through the engine's decoder too: module-level rules (types, limits, segments,
    // exports, constant expressions) and the binary format's.
    const { disagreements, accepted } = compareWithV8(MUTANTS, (random) => {
      const bytes = originals[random(originals.length)].bytes.slice();
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e++) mutateByte(bytes, 8 + random(bytes.length - 8), random);
      return bytes;
    });
    assert.deepEqual(disagreements, []);
    assert.ok(accepted > MUTANTS / 20 && accepted < MUTANTS * 0.9, `${accepted} accepted`);
  });
});
