// Shim features the integration tests wait for. A test that needs a feature listed here is
// registered with `it.skip` and the reason in its title, so the skipped count shows what is
// missing; remove an entry once the shim in the tree passes the tests that need it.
// TSWASM_INTEG_ALL=1 runs the pending tests too (to see how far the shim in the tree gets).
export const pendingShimFeatures: Record<string, string> = {};

/** `it(title, fn)`, or `it.skip` naming the reason while any of `features` is pending. */
export function itWith(
  features: string[],
  title: string,
  fn: (this: Mocha.Context) => Promise<void>,
): void {
  const reasons = features.map((feature) => pendingShimFeatures[feature]).filter(Boolean);
  if (reasons.length > 0 && !process.env.TSWASM_INTEG_ALL)
    it.skip(`${title} [skipped: ${reasons.join('; ')}]`, fn);
  else it(title, fn);
}
