// Shim features the integration tests wait for. A test that needs a feature listed here is
// registered with `it.skip` and the reason in its title, so the skipped count shows what is
// missing; remove an entry once the shim in the tree passes the tests that need it.
export const pendingShimFeatures: Record<string, string> = {
  run: 'shim start/Create/Start/Wait/Delete not in the tree yet',
  detach: 'shim not in the tree yet (ctr run -d, task ls/ps, kill, delete, daemon exit)',
  metrics: 'shim Stats not in the tree yet',
  pause: 'shim Pause/Resume not in the tree yet',
  exec: 'shim Exec not in the tree yet',
  kill: 'shim Kill not in the tree yet',
  restart: 'shim not in the tree yet (reconnect after a containerd restart)',
};

/** `it(title, fn)`, or `it.skip` naming the reason while any of `features` is pending. */
export function itWith(
  features: string[],
  title: string,
  fn: (this: Mocha.Context) => Promise<void>,
): void {
  const reasons = features.map((feature) => pendingShimFeatures[feature]).filter(Boolean);
  if (reasons.length > 0) it.skip(`${title} [skipped: ${reasons.join('; ')}]`, fn);
  else it(title, fn);
}
