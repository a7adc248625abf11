/**
 * http/throughput-watchdog owns the minimum-throughput rule for streams: while one side of a transfer is
 * waiting on the network, at least `minBytes` must pass in every `windowMs` of that waiting, or the stream
 * fails with a TransientError. A stall (nothing at all) and a trickle (a byte now and then) both end; a long
 * transfer at any useful speed never does; time spent waiting on the other side (a slow reader of a
 * download, a slow source of an upload) does not count. Timers are unref'd: a watchdog never keeps a
 * process alive.
 */
import { TransientError } from '../errors/errors.js';

export interface ThroughputRule {
  windowMs: number;
  minBytes: number;
}

/** Counts bytes against waiting time; calls `stalled` when a window of waiting passes with too few bytes. */
class Meter {
  #waited = 0;
  #bytes = 0;
  #since: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rule: ThroughputRule,
    private readonly stalled: () => void,
  ) {}

  /** The network side is being waited for from now. */
  wait(): void {
    this.#since = Date.now();
    this.#timer = setTimeout(this.stalled, Math.max(0, this.rule.windowMs - this.#waited));
    this.#timer.unref();
  }

  /** The wait ended with `bytes` passing. */
  moved(bytes: number): void {
    clearTimeout(this.#timer);
    if (this.#since !== undefined) this.#waited += Date.now() - this.#since;
    this.#since = undefined;
    this.#bytes += bytes;
    if (this.#bytes >= this.rule.minBytes) {
      this.#bytes = 0;
      this.#waited = 0;
    }
  }
}

/** Streams of strings exist in the wild; count their bytes too. */
function sizeOf(chunk: Uint8Array | string): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

function stallError(what: string, rule: ThroughputRule): TransientError {
  return new TransientError(
    `${what}: less than ${rule.minBytes} bytes in ${rule.windowMs / 1000} s of waiting (the connection stalled or is trickling); check the network and the service, or raise STATESTORE_TIMEOUT`,
  );
}

/**
 * A download's body, watched while its reader waits for the next chunk. On a stall `onStall` is called
 * (abort the request there) and the reader gets the TransientError, even if the body never settles.
 */
export async function* watchDownload(body: AsyncIterable<Uint8Array>, rule: ThroughputRule, what: string, onStall: (error: TransientError) => void): AsyncGenerator<Uint8Array> {
  const source = body[Symbol.asyncIterator]();
  let fail: (error: TransientError) => void = () => undefined;
  const meter = new Meter(rule, () => {
    const error = stallError(what, rule);
    onStall(error);
    fail(error);
  });
  let finished = false;
  try {
    for (;;) {
      const stalled = new Promise<never>((_, reject) => (fail = reject));
      meter.wait();
      let next: IteratorResult<Uint8Array>;
      try {
        next = await Promise.race([source.next(), stalled]);
      } catch (e) {
        meter.moved(0);
        throw e;
      }
      meter.moved(next.done ? 0 : sizeOf(next.value));
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) void Promise.resolve(source.return?.()).catch(() => undefined);
  }
}

/**
 * An upload's body, watched while the driver holds a chunk (sending it) before it asks for the next: on a
 * stall `onStall` is called, to abort the upload. `onSent(bytes)` is called once every chunk was taken.
 */
export async function* watchUpload(
  body: AsyncIterable<Uint8Array>,
  rule: ThroughputRule,
  what: string,
  onStall: (error: TransientError) => void,
  onSent: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const meter = new Meter(rule, () => onStall(stallError(what, rule)));
  let total = 0;
  for await (const chunk of body) {
    const size = sizeOf(chunk);
    meter.wait();
    try {
      yield chunk;
    } finally {
      meter.moved(size);
    }
    total += size;
  }
  onSent(total);
}
