/**
 * `statestore plugins`: installed backends (found from package.json files only; nothing is imported),
 * with versions and schemes, plus the built-in file and memfs backends.
 */
import { BUILT_IN_SCHEMES, KNOWN_SCHEME_PACKAGES } from '@statestore/core';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { table } from '../output.js';
import { coreVersion } from '../versions.js';

export const command: CommandSpec = {
  name: 'plugins',
  usage: 'plugins [-o json]',
  summary: 'List installed backends, their versions and the schemes they serve.',
  description:
    'Backends are npm packages named @statestore/backend-* or statestore-backend-* installed next to the CLI, or in a folder of $STATESTORE_PLUGIN_PATH. ' +
    "The working folder's node_modules are searched only when STATESTORE_WORKDIR_PLUGINS=1 (each plugin found there is named before it loads).",
  examples: ['statestore plugins', 'statestore plugins -o json', 'npm install @statestore/backend-s3 && statestore plugins'],
  outputs: ['table', 'json'],
  options: {},
  run,
};

interface Row {
  name: string;
  version: string;
  schemes: string[];
  builtIn: boolean;
  dir?: string;
  origin?: string;
}

async function run(ctx: CommandContext): Promise<number> {
  const rows: Row[] = [{ name: '@statestore/core', version: coreVersion(), schemes: [...BUILT_IN_SCHEMES], builtIn: true }];
  for (const p of ctx.registry.list()) rows.push({ name: p.name, version: p.version, schemes: p.schemes, builtIn: false, dir: p.dir, origin: p.origin });
  const served = new Set(rows.flatMap((r) => r.schemes));
  const missing = [...new Set(Object.values(KNOWN_SCHEME_PACKAGES))]
    .filter((pkg) => pkg.startsWith('@statestore/'))
    .filter((pkg) => !rows.some((r) => r.name === pkg))
    .map((pkg) => ({ package: pkg, schemes: Object.entries(KNOWN_SCHEME_PACKAGES).filter(([, p]) => p === pkg).map(([s]) => s).filter((s) => !served.has(s)) }));
  if (ctx.output('table') === 'json') {
    ctx.json({ plugins: rows, notInstalled: missing });
    return 0;
  }
  ctx.out(table(['NAME', 'VERSION', 'SCHEMES', 'SOURCE'], rows.map((r) => [r.name, r.version, r.schemes.join(','), r.builtIn ? 'built-in' : `${r.dir ?? ''}${r.origin === 'installed' ? '' : ` (${r.origin})`}`])));
  if (missing.length > 0) ctx.log(0, `\nNot installed: ${missing.map((m) => `${m.package} (${m.schemes.join(', ')})`).join('; ')}. Install with npm install PACKAGE next to the CLI.`);
  return 0;
}
