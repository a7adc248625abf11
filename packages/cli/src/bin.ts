#!/usr/bin/env node
/**
 * The `statestore` executable. `--version` is answered from package.json before anything else is loaded
 * (no other module, not even node:v8);
 * every other invocation quiets the third-party warnings we know of, then imports the dispatcher, which
 * imports only the command it runs, telling it that the process ends with the command (main.ts then makes
 * sure it does).
 *
 * The young generation of V8's heap is kept at its initial size. Streaming (cat, cp, sync) allocates a
 * buffer per chunk read; a grown young generation lets tens of MB of finished chunks wait for the next
 * collection, so `cat` of 1 GiB peaked anywhere between 110 and 130 MB of resident memory, and at about
 * 90 MB with this setting (at a small cost in more frequent minor collections).
 *
 * WebAssembly stays on V8's baseline compiler (Liftoff). The only WebAssembly here is undici's HTTP parser
 * (llhttp; undici carries the S3 fast client, swift:// and Node's fetch), one very large state-machine
 * function: once it runs hot, V8 recompiles it with its optimizing compiler, and that compilation alone took
 * ~30 MiB of resident memory for a moment, so `cat` of 1 GiB through the fast S3 client peaked at ~119 MiB
 * against ~87 MiB through the AWS SDK (whose parser is Node's native one). On Liftoff code it peaks at
 * ~90 MiB, and a 2,000-file sync used the same CPU (2.46 s against 2.55 s, medians of 4) and 104 MB
 * instead of 124.
 */
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  // Nothing else is imported on this path: each module costs start-up time.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`statestore ${pkg.version}\n`);
} else {
  const [{ setFlagsFromString }, { quietThirdPartyWarnings }] = await Promise.all([import('node:v8'), import('./third-party-warnings.js')]);
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--liftoff-only');
  quietThirdPartyWarnings();
  const { main } = await import('./main.js');
  process.exitCode = await main(argv, undefined, { processEndsWithCommand: true });
}
