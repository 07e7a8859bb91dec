// The benchmark kernels compute the same results on every engine (V8, polywasm, and tswasm
// when it is built), at their quick sizes; two are also checked against known answers.
import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { engines, instantiate } from '../engines';
import { KERNELS, fixturesDir, kernelBytes, runKernel } from '../kernels';

/** Known answers: fib(15), and the n-body energy after 1000 steps (Benchmarks Game output). */
const KNOWN: Record<string, (result: string) => boolean> = {
  fib: (r) => r === '610',
  nbody: (r) => Number(r).toFixed(9) === '-0.169087605',
};

describe('engine benchmark kernels', function () {
  for (const kernel of KERNELS) {
    it(`${kernel.name} gives the same result on ${engines()
      .map((e) => e.name)
      .join(', ')}`, function () {
      if (!fs.existsSync(path.join(fixturesDir(), `bench_${kernel.name}.wasm`))) {
        assert.fail('build/fixtures is not built: run `npm run build`');
      }
      const bytes = kernelBytes(kernel);
      const results = engines().map((engine) => ({
        engine: engine.name,
        result: runKernel(instantiate(engine, bytes).exports, kernel.quickArg),
      }));
      for (const { engine, result } of results) {
        assert.strictEqual(result, results[0].result, `${engine} differs from v8`);
      }
      const known = KNOWN[kernel.name];
      if (known) assert.ok(known(results[0].result), `${kernel.name}: ${results[0].result}`);
    });
  }
});
