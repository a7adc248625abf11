/**
 * The fault rig (issue 16): faults that break processes, not just requests, on every backend that can hold
 * state. Writer processes append unique tokens to one file with updateFile; the rig kills or pauses a writer
 * while it holds an update, holds writes in the network past the lease, skews clocks, loses answers after
 * the server applied a write, lets two breakers meet over an expired lock, and deletes and re-creates the
 * file between a read and its write. The checker (support/checker.ts) then reads the final state once:
 * every acknowledged operation exactly once, unknown ones at most once, none lost, none applied twice.
 * Which scenario runs where, and why, is the table in packages/resilience/README.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MemfsBackend, isOutcomeUnknown, pathForBackend, resolvePath, type VfsPath } from '@statestore/core';
import { startFaultProxy } from '@statestore/testkit/fault-proxy';
import { History, check, outcomeOfError, violations, type Verdict } from './support/checker.js';
import { FaultyBackend, type Faults } from './support/faulty-backend.js';
import { QUIET, RIG_LEASE_MS, RIG_OPTIONS, rigStore, startWriter, tokensIn, type RigBackend, type RigStore, type Writer } from './support/rig.js';

const table: { scenario: string; backend: string; verdict: Verdict }[] = [];
afterAll(() => {
  const lines = table.map((r) => `${r.scenario.padEnd(34)} ${r.backend.padEnd(6)} acknowledged ${String(r.verdict.acknowledged).padStart(3)}  unknown ${String(r.verdict.unknown).padStart(2)}  failed ${String(r.verdict.failed).padStart(2)}  lost ${r.verdict.lost.length}  duplicated ${r.verdict.duplicated.length}`);
  process.stderr.write(`[resilience] fault rig:\n${lines.join('\n')}\n`);
});

const WRITES = (m: string) => m !== 'GET' && m !== 'HEAD';
const MIN_ACKNOWLEDGED = 50;
/**
 * Operations per writer, scaled up on Swift: its candidate lease (two settle delays per acquisition) makes some
 * operations give up at their deadline on a loaded machine, and every scenario needs MIN_ACKNOWLEDGED.
 */
const ops = (backend: RigBackend, count: number) => (backend === 'swift' ? Math.ceil(count * 1.3) : count);

function record(scenario: string, backend: string, verdict: Verdict, history?: History): void {
  table.push({ scenario, backend, verdict });
  if (process.env.RIG_DEBUG && history) for (const op of history.operations()) if (op.outcome !== 'ok') process.stderr.write(`[rig] ${backend} ${scenario} ${op.id} ${op.outcome} ${op.detail ?? ''}\n`);
  expect(violations(verdict), `${scenario} on ${backend}`).toBe('');
  expect(verdict.acknowledged, `${scenario} on ${backend}: acknowledged operations`).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED);
}

async function finish(writers: Writer[]): Promise<void> {
  // Writers started later (replacements) are pushed while we wait.
  for (let i = 0; i < writers.length; i++) await writers[i]!.exited;
}

/** A pid of this host whose process has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

const PROCESS_BACKENDS: RigBackend[] = ['file', 's3', 'gs', 'oss', 'vault', 'k8s', 'swift'];
const NETWORK_BACKENDS: RigBackend[] = ['s3', 'gs', 'oss', 'vault', 'k8s', 'swift'];

describe.each(PROCESS_BACKENDS)('%s: writer processes', (backend) => {
  it('a holder SIGKILLed while it holds the update: the others take over, nothing acknowledged is lost', async () => {
    const s = await rigStore(backend);
    const history = new History();
    const writers: Writer[] = [];
    let kills = 0;
    const onHolding = (w: Writer) => {
      if (kills >= 3 || w.completed < 2) return;
      kills++;
      w.child.kill('SIGKILL');
      writers.push(startWriter(s, history, { prefix: `r${kills}`, count: 10, holdMs: 30 }));
    };
    for (let i = 0; i < 4; i++) writers.push(startWriter(s, history, { prefix: `w${i}`, count: ops(backend, 16), holdMs: 30, onHolding }));
    await finish(writers);
    expect(kills).toBe(3);
    record('holder SIGKILLed', backend, check(history, await tokensIn(s)));
  });

  it('a holder paused (SIGSTOP) past its lease, then resumed: it never overwrites the next holder', async () => {
    const s = await rigStore(backend);
    const history = new History();
    const writers: Writer[] = [];
    let pauses = 0;
    const onHolding = (w: Writer) => {
      if (pauses >= 2 || w.completed < 3) return;
      pauses++;
      process.kill(w.child.pid!, 'SIGSTOP');
      // The fault's length, not a synchronisation: two leases, then the process runs on.
      setTimeout(() => process.kill(w.child.pid!, 'SIGCONT'), RIG_LEASE_MS * 2);
    };
    for (let i = 0; i < 4; i++) writers.push(startWriter(s, history, { prefix: `w${i}`, count: 16, holdMs: 10, onHolding }));
    await finish(writers);
    expect(pauses).toBe(2);
    record('holder paused past its lease', backend, check(history, await tokensIn(s)));
  });

  it('clocks skewed by ±60 s: expiry is judged on each observer\'s own monotonic clock', async () => {
    const s = await rigStore(backend);
    const history = new History();
    const writers = [60_000, -60_000, 60_000, -60_000].map((skewMs, i) => startWriter(s, history, { prefix: `w${i}`, count: 15, holdMs: 10, skewMs }));
    await finish(writers);
    record('clocks skewed ±60 s', backend, check(history, await tokensIn(s)));
  });
});

describe.each(NETWORK_BACKENDS)('%s: writer processes through a fault proxy', (backend) => {
  it('answers lost after the server applied the write (30 %): never applied twice, acknowledged never lost', async () => {
    const s = await rigStore(backend);
    const proxy = await startFaultProxy({ target: s.upstream!, ...(s.upstreamCa ? { targetCa: s.upstreamCa } : {}), seed: 31, rates: { lostResponse: 0.3 }, eligible: (req) => WRITES(req.method ?? 'GET') });
    try {
      const history = new History();
      const via = s.through(proxy.url);
      await finish(Array.from({ length: 5 }, (_, i) => startWriter(via, history, { prefix: `w${i}`, count: 16 })));
      expect(proxy.counts.lostResponse).toBeGreaterThan(10);
      record('answers lost after applying (30 %)', backend, check(history, await tokensIn(s)), history);
    } finally {
      await proxy.close();
    }
  });

  it('writes held in the network past the lease: cut off by their deadline, never landing after the next holder', async () => {
    const s = await rigStore(backend);
    const proxy = await startFaultProxy({ target: s.upstream!, ...(s.upstreamCa ? { targetCa: s.upstreamCa } : {}), seed: 47, rates: { hold: 0.08, holdMs: RIG_LEASE_MS * 2 }, eligible: (req) => WRITES(req.method ?? 'GET') });
    try {
      const history = new History();
      const via = s.through(proxy.url);
      await finish(Array.from({ length: 4 }, (_, i) => startWriter(via, history, { prefix: `w${i}`, count: 15 })));
      expect(proxy.counts.hold).toBeGreaterThan(3);
      record('writes held past the lease', backend, check(history, await tokensIn(s)));
    } finally {
      await proxy.close();
    }
  });
});

describe('two breakers of one expired lock', () => {
  it.each<RigBackend>(['file', 'oss', 'swift'])('%s: ten writers find a dead holder\'s lock at once; exactly one takes it at a time', async (backend) => {
    const s = await rigStore(backend);
    const f = await s.open();
    await f.writeFile('');
    const pid = deadPid();
    if (backend === 'file') {
      // file://'s lock of one file's compare-and-swap, as a crashed writer of this host leaves it (the format of
      // core/src/backends/file/internal-files.ts: a hash of the name; host tag, pid, token).
      const sha = (text: string) => createHash('sha256').update(text).digest('hex');
      writeFileSync(path.join(path.dirname(`/${f.key}`), `.statestore-tmp-l-${sha(f.base()).slice(0, 24)}`), `${sha(hostname()).slice(0, 8)} ${pid} deadbeef`);
    } else {
      const dead = JSON.stringify({ id: 'dead', holder: { user: 'x', host: hostname(), pid, command: 'crashed' }, acquired: '2000-01-01T00:00:00Z', ttlMs: RIG_LEASE_MS, beat: 0 });
      const lock = f.parent()!.join(`${f.base()}.statestore-lock`);
      // Swift keeps a lock as a folder of candidates: the dead holder's is the first ticket.
      await (backend === 'swift' ? lock.join('ticket-000000000001-dead') : lock).writeFile(dead);
    }
    const history = new History();
    await finish(Array.from({ length: 10 }, (_, i) => startWriter(s, history, { prefix: `w${i}`, count: ops(backend, 6) })));
    record('two breakers of an expired lock', backend, check(history, await tokensIn(s)));
  });
});

/** Appends one token per call with updateFile, recording the operation. */
async function appendOnce(file: VfsPath, history: History, id: string, beforeWrite?: () => Promise<void>): Promise<void> {
  history.invoke(id);
  let first = true;
  try {
    await file.updateFile(async (current) => {
      if (first && beforeWrite) await beforeWrite();
      first = false;
      return `${current ? new TextDecoder().decode(current) : ''}${id},`;
    });
    history.complete(id, 'ok');
  } catch (e) {
    history.complete(id, isOutcomeUnknown(e) ? 'unknown' : outcomeOfError((e as { code?: string }).code), (e as Error).message);
  }
}

const tokensOf = async (file: VfsPath) => {
  const current = await file.readVersioned();
  return current ? new TextDecoder().decode(current.bytes).split(',').filter(Boolean) : [];
};

describe('deleted and re-created between a read and its write', () => {
  const opener: Record<string, () => Promise<{ a: VfsPath; b: VfsPath }>> = {
    memfs: async () => {
      const url = `memfs://rig-${randomUUID()}/list`;
      return { a: await resolvePath(url, { logger: QUIET }), b: await resolvePath(url, { logger: QUIET }) };
    },
    ...Object.fromEntries(PROCESS_BACKENDS.map((backend) => [backend, async () => {
      const s: RigStore = await rigStore(backend);
      return { a: await s.open(), b: await s.open() };
    }])),
  };
  it.each(Object.keys(opener))('%s: a compare-and-swap based on the deleted file never lands on the new one', async (backend) => {
    const { a, b } = await opener[backend]!();
    const history = new History();
    for (let round = 0; round < 30; round++) {
      const marker = `m${round}`;
      // Between this writer's read and its write: someone removes the file and creates it anew with what
      // it held plus their own change (an acknowledged operation of theirs).
      await appendOnce(a, history, `w${round}`, async () => {
        history.invoke(marker);
        const before = await b.readVersioned();
        await b.remove();
        await b.createFile(`${before ? new TextDecoder().decode(before.bytes) : ''}${marker},`);
        history.complete(marker, 'ok');
      });
    }
    record('deleted and re-created mid-update', backend, check(history, await tokensOf(a)));
  });
});

describe('memfs: in-process writers over a misbehaving driver', () => {
  const scenarios: [string, Faults][] = [
    ['answers lost after applying (30 %)', { seed: 3, lostAnswer: 0.3, maxLatencyMs: 2 }],
    ['writes held past the lease', { seed: 4, atomicCreateOnly: true, hold: 0.05, holdMs: 900, maxLatencyMs: 2 }],
    ['lock on atomic create, with latency', { seed: 5, atomicCreateOnly: true, maxLatencyMs: 3 }],
  ];
  it.each(scenarios)('%s: nothing acknowledged is lost or applied twice', async (name, faults) => {
    const driver = new FaultyBackend(new MemfsBackend(), faults);
    const file = pathForBackend(driver, 'c/list', { ...RIG_OPTIONS, lockLeaseMs: 600, logger: QUIET });
    const history = new History();
    await Promise.all(Array.from({ length: 5 }, async (_, w) => {
      for (let i = 0; i < 14; i++) await appendOnce(file, history, `w${w}-${i}`);
    }));
    record(name, 'memfs', check(history, await tokensOf(file)));
  });
});

describe('the checker', () => {
  it('reports losses when the update underneath is broken (read, then write back with no lock and no compare-and-swap)', async () => {
    const driver = new FaultyBackend(new MemfsBackend(), { seed: 9, maxLatencyMs: 5 });
    const file = pathForBackend(driver, 'c/list', { ...RIG_OPTIONS, logger: QUIET });
    const history = new History();
    const brokenAppend = async (id: string) => {
      history.invoke(id);
      const current = await file.readVersioned();
      await file.writeFile(`${current ? new TextDecoder().decode(current.bytes) : ''}${id},`);
      history.complete(id, 'ok');
    };
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 10; i++) await brokenAppend(`w${w}-${i}`);
    }));
    const verdict = check(history, await tokensOf(file));
    process.stderr.write(`[resilience] checker against a broken update: acknowledged ${verdict.acknowledged}, lost ${verdict.lost.length}\n`);
    expect(verdict.acknowledged).toBe(80);
    expect(verdict.lost.length).toBeGreaterThan(0);
    expect(violations(verdict)).toMatch(/^lost \d+/);
  });
});
