/**
 * `statestore doctor [URL]`: is the store reachable, readable and writable (with a probe object that is
 * removed again)? Shows the settings in effect (never secret values), the backend's capabilities and what
 * its plugin's describe() adds (e.g. a bucket's region).
 */
import { randomUUID } from 'node:crypto';
import { BUILT_IN_SCHEMES, observeRequests, parseUrl, redactSecrets, safeForMessage, type Description, type VfsPath } from '@statestore/core';
import { deadlinesFrom, runWithDeadline } from '@statestore/core/driver-kit';
import type { CommandSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { coreVersion } from '../versions.js';

export const command: CommandSpec = {
  name: 'doctor',
  usage: 'doctor [URL] [-o json]',
  summary: 'Check that a store is reachable, readable and writable, and show the settings used.',
  description: 'Writes one probe object (a hidden .statestore-tmp-doctor-* file) and removes it. URL defaults to the state store.',
  examples: ['statestore doctor', 'statestore doctor s3://my-state/kops', 'S3_ENDPOINT=http://127.0.0.1:9000 statestore doctor s3://bucket -o json'],
  outputs: ['text', 'json'],
  options: {},
  run,
};

/** Environment variables each scheme's backend reads (kops's names plus the SDKs'). */
const SETTINGS: Record<string, RegExp> = {
  s3: /^(S3_|KOPS_STATE_S3_ACL$|AWS_(REGION|DEFAULT_REGION|PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|CA_BUNDLE|ENDPOINT_URL.*|USE_FIPS_ENDPOINT|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN)$)/,
  gs: /^(GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_CLOUD_PROJECT|STORAGE_EMULATOR_HOST|GCS_.*)$/,
  swift: /^(OS_|OPENSTACK_CREDENTIAL_FILE$|SWIFT_)/,
  oss: /^(OSS_|ALIYUN_)/,
  vault: /^VAULT_/,
};
for (const s of ['do', 'linode', 'hos', 'scw']) SETTINGS[s] = SETTINGS.s3!;
const PROXY = /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$/;
const SECRET = /(SECRET|TOKEN|PASSWORD|PASSWD|ACCESS_KEY|KEY_ID|APPLICATION_CREDENTIAL_ID)/i;
const PATHLIKE = /(_FILE|_PATH|_BUNDLE|APPLICATION_CREDENTIALS)$/;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

async function timed(name: string, checks: Check[], fn: () => Promise<string>): Promise<boolean> {
  const start = performance.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail, ms: Math.round(performance.now() - start) });
    return true;
  } catch (e) {
    checks.push({ name, ok: false, detail: redactSecrets(e instanceof Error ? e.message : String(e)), ms: Math.round(performance.now() - start) });
    return false;
  }
}

function settingsFor(scheme: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const pattern = SETTINGS[scheme];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (v === undefined || !((pattern && pattern.test(k)) || PROXY.test(k))) continue;
    out[k] = SECRET.test(k) && !PATHLIKE.test(k) ? '(set, not shown)' : safeForMessage(v);
  }
  return out;
}

/** What a plugin's describe() said, with any credential that slipped into a value (an endpoint's user:password@) removed. */
function redactDescription(description: Description): Description {
  const out: Description = {};
  for (const [k, v] of Object.entries(description)) out[k] = typeof v === 'string' ? redactSecrets(v) : Array.isArray(v) ? v.map((x) => redactSecrets(x)) : v;
  return out;
}

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length > 1) throw new UsageError('give at most one URL');
  const url = ctx.args.positionals[0] ?? ctx.stateStore().url;
  const source = ctx.args.positionals[0] ? 'argument' : ctx.stateStore().file ?? ctx.stateStore().source;
  const parsed = parseUrl(url, { cwd: ctx.io.cwd });
  const builtIn = (BUILT_IN_SCHEMES as readonly string[]).includes(parsed.scheme);
  const checks: Check[] = [];
  let plugin: { name: string; version: string; builtIn: boolean } | undefined;
  let description: Description | undefined;
  let root: VfsPath | undefined;

  await timed('plugin', checks, async () => {
    if (builtIn) {
      plugin = { name: '@statestore/core', version: coreVersion(), builtIn: true };
      return `${parsed.scheme}:// is built into @statestore/core ${plugin.version}`;
    }
    const found = ctx.registry.find(parsed.scheme);
    const loaded = await ctx.registry.load(parsed.scheme);
    plugin = { name: loaded.name, version: found?.version ?? 'registered in-process', builtIn: false };
    if (loaded.describe) {
      const describe = loaded.describe.bind(loaded);
      description = await observeRequests(ctx.requestLogger, 1, () =>
        runWithDeadline(`Describing ${safeForMessage(url)}`, deadlinesFrom(ctx.env).requestMs, undefined, () => describe(parsed, { env: ctx.env, options: {}, warn: (m) => ctx.warn(m) })),
      );
    }
    return `${loaded.name} ${plugin.version}`;
  });

  const reachable = await timed('reachable', checks, async () => {
    root = await ctx.open(url);
    const entries = await root.readDir();
    return `listed ${safeForMessage(root.toString())}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
  });

  const probe = root?.join(`.statestore-tmp-doctor-${randomUUID()}`);
  const body = `statestore doctor probe ${new Date().toISOString()}\n`;
  let wrote = false;
  if (reachable && probe) {
    wrote = await timed('writable', checks, async () => {
      await probe.createFile(body);
      return `created ${safeForMessage(probe.toString())}`;
    });
    await timed('readable', checks, async () => {
      if (wrote) {
        const text = await probe.readText();
        if (text !== body) throw new Error('the probe read back different bytes than were written');
        return 'read the probe back intact';
      }
      const file = (await root!.readDir()).find((e) => !e.isDirectory);
      if (!file) return 'nothing to read (empty store, and the probe could not be written)';
      await file.path.readFile();
      return `read ${safeForMessage(file.path.toString())}`;
    });
    if (wrote) {
      await timed('cleaned up', checks, async () => {
        await probe.remove();
        if (await probe.exists()) throw new Error(`the probe ${safeForMessage(probe.toString())} is still there; remove it by hand`);
        return 'removed the probe';
      });
    }
  }

  const capabilities = root?.backend.capabilities;
  const report = {
    url: safeForMessage(url),
    source,
    scheme: parsed.scheme,
    plugin: plugin ?? null,
    settings: settingsFor(parsed.scheme, ctx.env),
    checks,
    capabilities: capabilities ?? null,
    describe: redactDescription(description ?? {}),
    ok: checks.every((c) => c.ok),
  };
  if (ctx.output('text') === 'json') {
    ctx.json(report);
    return report.ok ? 0 : 1;
  }
  ctx.out(`Store: ${report.url} (from ${source})\n`);
  if (plugin) ctx.out(`Backend: ${plugin.name} ${plugin.version}${plugin.builtIn ? ' (built-in)' : ''}\n`);
  const settings = Object.entries(report.settings);
  ctx.out(`Settings:${settings.length === 0 ? ' none from the environment' : ''}\n${settings.map(([k, v]) => `  ${k}=${v}\n`).join('')}`);
  for (const [k, v] of Object.entries(report.describe)) if (v !== undefined) ctx.out(`  ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\n`);
  ctx.out('Checks:\n');
  for (const c of checks) ctx.out(`  ${c.ok ? ctx.paint('32', '✓') : ctx.paint('31', '✗')} ${c.name.padEnd(11)} ${c.detail} (${c.ms} ms)\n`);
  if (capabilities) {
    const flags = (['atomicCreate', 'compareAndSwap', 'conditionalDelete', 'versions', 'acl', 'serverSideCopy', 'streaming', 'rangeReads'] as const).map((k) => `${k}=${capabilities[k]}`);
    ctx.out(`Capabilities: ${flags.join(' ')}${capabilities.hashes.length ? ` hashes=${capabilities.hashes.join(',')}` : ''}\n`);
    for (const n of capabilities.notes ?? []) ctx.out(`  note: ${n}\n`);
  }
  return report.ok ? 0 : 1;
}
