/**
 * Loaded with `node --import` into a process under test: shifts its wall clock (`Date`, `Date.now()`) by
 * STATESTORE_TEST_CLOCK_SKEW_MS milliseconds, as on a host whose clock is wrong. The monotonic clock
 * (`performance.now()`) is left alone, as it is on such a host.
 */
const skew = Number(process.env.STATESTORE_TEST_CLOCK_SKEW_MS ?? 0);

if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: ConstructorParameters<typeof Date> | []) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...(args as ConstructorParameters<typeof Date>));
    }
    static override now(): number {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}

export {};
