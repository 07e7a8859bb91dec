// The start-up benchmark's generated module is as large as the benchmark says (>= 10 MB,
// tens of thousands of functions) and every engine runs its `main` to the same result.
import * as assert from 'node:assert';
import { engines, instantiate } from '../engines';
import { largeModule } from '../large-module';

describe('engine benchmark large module', function () {
  it('is over 10 MB with over 30000 functions, and all engines agree on main(7)', function () {
    const generated = largeModule();
    assert.ok(generated.bytes.length >= 10_000_000, `${generated.bytes.length} bytes`);
    assert.ok(generated.functions > 30_000, `${generated.functions} functions`);
    const results = engines().map((engine) => ({
      engine: engine.name,
      result: (instantiate(engine, generated.bytes).exports.main as (x: number) => number)(7),
    }));
    for (const { engine, result } of results) {
      assert.strictEqual(result, results[0].result, `${engine} differs from v8`);
    }
  });
});
