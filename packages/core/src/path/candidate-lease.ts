/**
 * path/candidate-lease owns the lease on a backend with neither compare-and-swap nor atomic create
 * (swift://). No object there can change hands atomically, so contenders never write the same object: each
 * writes objects with names of its own into the lease's folder and reads the order from a listing. It is
 * Lamport's bakery algorithm with the listing in place of shared memory, and a settle delay S: how late a
 * listing may show an object after the write that made it returned.
 *
 * 1. Announce: write `intent-<id>`; wait S.
 * 2. Take a number: list; n = 1 + the highest ticket listed; write `ticket-<n>-<id>`; wait S.
 * 3. Decide, listing as often as needed: the lease is ours when no ticket ordered before ours ((n, id),
 *    smallest first) is listed and none of the contenders that were still announcing (an intent, no ticket)
 *    at our first decision still is. At that first decision our intent is checked (nobody judged us dead
 *    meanwhile) and removed.
 *
 * Why a later contender cannot undercut, when every object shows in listings within S: of two contenders
 * holding at once, the one ordered after did not list the other's ticket at its decision, so that ticket
 * was written less than S before; nor did it list the other's intent at its first decision, so that intent
 * was written less than S before it, and so after its own ticket was written; then the other, waiting S
 * after announcing, listed that ticket and took a higher number — a contradiction. Losers wait in ticket
 * order (first come, first served); a contender that gives up withdraws its objects.
 *
 * Expiry is as everywhere (lease-record.ts): a blocker whose object stays unchanged for a TTL on the
 * observer's clock, or whose pid on this host is dead, is removed by the observer. Every contender renews
 * its ticket from the moment it writes it (held-lease.ts: check, then rewrite), waiting or holding, and
 * starts again under a new id if its objects were removed. The ticket is the holder's lease object.
 *
 * What remains (packages/resilience/README.md has the measurements): a listing that shows a new object
 * later than S — Swift updates container listings within each PUT, but a slow or failed container server
 * turns that update asynchronous, applied later by the object updater — and, as with atomic create only, a
 * contender paused for longer than a TTL between checking its objects and acting on the check.
 */
import { performance } from 'node:perf_hooks';
import type { Capabilities } from '../backend/backend.js';
import { InvalidConfigError } from '../errors/errors.js';
import { sleep } from '../retry/retry.js';
import { holdLease, type HeldLease } from './held-lease.js';
import { ExpiryWatch, changedHands, encodeLease, gaveUp, logTakeover, newLeaseRecord, readLease, type LeaseRecord, type StoredLease } from './lease-record.js';
import type { LeaseOptions } from './lease.js';
import type { Logger } from './store-context.js';
import type { VfsPath } from './vfs-path.js';

const INTENT = 'intent-';
const TICKET = 'ticket-';
const TICKET_DIGITS = 12;
/** Pause between two decisions of a waiting contender, ms, per contender ahead of it (up to a TTL/8): the next in line looks often, the rest less. */
const POLL_MS_PER_PLACE = 100;

/** One contender as the listing shows it. */
interface Contender {
  id: string;
  intent?: VfsPath;
  ticket?: { n: number; path: VfsPath };
}

/** Takes the lease kept in the folder `folder` (see the file header). */
export async function acquireByCandidates(folder: VfsPath, options: LeaseOptions & { settleMs: number }, caps: Readonly<Capabilities>): Promise<HeldLease> {
  if (options.settleMs * 4 > options.ttlMs) {
    throw new InvalidConfigError(
      `A lease at ${folder.toString()} cannot have a settle delay of ${options.settleMs} ms with a time-to-live of ${options.ttlMs} ms: announcing takes more than one settle delay, and must end well within the time-to-live. Use a time-to-live of at least ${options.settleMs * 4} ms.`,
      { url: folder.toString() },
    );
  }
  const deadline = performance.now() + options.waitMs;
  for (;;) {
    const held = await contend(folder, options, caps, deadline);
    if (held) return held;
    options.logger?.log(1, `${folder.toString()}: our place in line was removed (judged dead while paused?); starting again`);
  }
}

/** One attempt under one id: the held lease, or undefined when our objects were removed meanwhile. */
async function contend(folder: VfsPath, options: LeaseOptions & { settleMs: number }, caps: Readonly<Capabilities>, deadline: number): Promise<HeldLease | undefined> {
  const { signal, settleMs, logger } = options;
  const at = signal ? { signal } : {};
  const record = newLeaseRecord(options);
  const intent = folder.join(`${INTENT}${record.id}`);
  let ticket: VfsPath | undefined;
  let held: HeldLease | undefined;
  /** Our intent's removal, once it has done its work (sent in the background: nothing waits for it but a release). */
  let intentRemoved: Promise<void> | undefined;
  // Until we hold it, renewal notices are details, not news.
  let holding = false;
  const heartbeatLogger: Logger | undefined = logger && { log: (level, message) => logger.log(holding ? level : Math.max(level, 2), message) };
  // Gives our place up: whatever of ours is still there goes (not bound to `signal`: this runs after an abort too).
  const withdraw = async () => {
    holding = false;
    await intentRemoved?.catch(() => undefined);
    await held?.release().catch(() => undefined);
    for (const path of [ticket, intent]) {
      if (path && (await readLease(path).catch(() => undefined))?.record?.id === record.id) await path.remove().catch(() => undefined);
    }
  };
  try {
    const announced = performance.now();
    await intent.writeFile(encodeLease(record), at);
    await sleep(settleMs, signal);
    const seen = await listContenders(folder, signal);
    const n = 1 + Math.max(0, ...[...seen.values()].map((c) => c.ticket?.n ?? 0));
    ticket = folder.join(`${TICKET}${String(n).padStart(TICKET_DIGITS, '0')}-${record.id}`);
    const sent = performance.now();
    const written = await ticket.writeFile(encodeLease(record), at);
    held = holdLease(ticket, record, written.version, sent, caps, heartbeatLogger, true);
    await sleep(settleMs, signal);

    let announcing: Set<string> | undefined;
    const watches = new Map<string, ExpiryWatch>();
    for (;;) {
      if (held.lost.aborted) return void (await withdraw());
      const others = await listContenders(folder, signal);
      others.delete(record.id);
      if (!announcing) {
        // Nobody can have judged our intent expired before it stayed unchanged for a TTL after we sent it.
        if (performance.now() - announced >= options.ttlMs && (await readLease(intent, signal))?.record?.id !== record.id) return void (await withdraw());
        announcing = new Set([...others.values()].filter((c) => c.intent && !c.ticket).map((c) => c.id));
        intentRemoved = intent.remove().catch(() => intent.remove());
        intentRemoved.catch(() => undefined);
      }
      const blocker = await firstBlocker(others, announcing, { n, id: record.id }, signal);
      if (!blocker) {
        // Our heartbeat has kept the ticket renewed all along: it is ours unless that stopped (then start again).
        if (held.lost.aborted || held.remainingMs() === 0) return void (await withdraw());
        holding = true;
        record.acquired = new Date().toISOString();
        const heldLease = held;
        // its release also makes sure our intent is gone (a lingering one would hold others up)
        return { ...heldLease, release: async () => void (await Promise.all([heldLease.release(), intentRemoved])) };
      }
      const watchKey = blocker.path.key;
      let watch = watches.get(watchKey);
      if (!watch) watches.set(watchKey, (watch = new ExpiryWatch()));
      if (watch.observe(blocker.stored, options.ttlMs)) {
        if (blocker.stored.record) logTakeover(folder, blocker.stored.record, watch, logger);
        await removeContender(blocker.contender, signal);
        watches.delete(watchKey);
        continue;
      }
      const ceiling = Math.max(20, Math.min(options.ttlMs / 8, POLL_MS_PER_PLACE * blocker.ahead));
      const delay = Math.floor((ceiling * (1 + Math.random())) / 2);
      if (performance.now() + delay > deadline) {
        const holder = blocker.path === blocker.contender.ticket?.path ? blocker.stored.record : undefined;
        throw gaveUp(folder, holder, watch, options.unlockHint, `statestore rm -r ${folder.toString()} --yes`);
      }
      await sleep(delay, signal);
    }
  } catch (e) {
    await withdraw();
    throw e;
  }
}

/** The contender we must wait for: the first live ticket before ours, else one still announcing. */
async function firstBlocker(
  others: Map<string, Contender>,
  announcing: Set<string>,
  mine: { n: number; id: string },
  signal: AbortSignal | undefined,
): Promise<{ contender: Contender; path: VfsPath; stored: StoredLease; ahead: number } | undefined> {
  const before = [...others.values()].filter((c) => c.ticket && ordered(c.ticket.n, c.id, mine.n, mine.id)).sort((a, b) => (ordered(a.ticket!.n, a.id, b.ticket!.n, b.id) ? -1 : 1));
  for (const id of announcing) if (!others.get(id)?.intent || others.get(id)?.ticket) announcing.delete(id);
  const candidates = [...before.map((c) => ({ contender: c, path: c.ticket!.path })), ...[...announcing].map((id) => ({ contender: others.get(id)!, path: others.get(id)!.intent! }))];
  for (const c of candidates) {
    // A listing may still show what was removed a moment ago: the object itself decides.
    const stored = await readLease(c.path, signal);
    if (stored) return { ...c, stored, ahead: Math.max(1, before.length) };
  }
  return undefined;
}

function ordered(n: number, id: string, otherN: number, otherId: string): boolean {
  return n < otherN || (n === otherN && id < otherId);
}

async function listContenders(folder: VfsPath, signal: AbortSignal | undefined): Promise<Map<string, Contender>> {
  const contenders = new Map<string, Contender>();
  const of = (id: string) => {
    let c = contenders.get(id);
    if (!c) contenders.set(id, (c = { id }));
    return c;
  };
  for (const entry of await folder.readDir({ ...(signal ? { signal } : {}), onSkipped: () => undefined })) {
    if (entry.isDirectory) continue;
    const ticket = new RegExp(`^${TICKET}(\\d{${TICKET_DIGITS}})-(.+)$`).exec(entry.name);
    if (ticket) of(ticket[2]!).ticket = { n: Number(ticket[1]), path: entry.path };
    else if (entry.name.startsWith(INTENT)) of(entry.name.slice(INTENT.length)).intent = entry.path;
  }
  return contenders;
}

async function removeContender(c: Contender, signal: AbortSignal | undefined): Promise<void> {
  for (const path of [c.ticket?.path, c.intent]) if (path) await path.remove(signal ? { signal } : {});
}

/** The ticket that holds the lease in `folder` (or is next to), with its record; undefined when none is listed. */
async function holderTicket(folder: VfsPath, signal?: AbortSignal): Promise<{ contender: Contender; stored: StoredLease } | undefined> {
  const tickets = [...(await listContenders(folder, signal)).values()].filter((c) => c.ticket).sort((a, b) => (ordered(a.ticket!.n, a.id, b.ticket!.n, b.id) ? -1 : 1));
  for (const contender of tickets) {
    const stored = await readLease(contender.ticket!.path, signal);
    if (stored) return { contender, stored };
  }
  return undefined;
}

/** @internal The lease in `folder` as it stands (lease.ts readCurrentLease). */
export async function readCandidateHolder(folder: VfsPath, signal?: AbortSignal): Promise<StoredLease | undefined> {
  return (await holderTicket(folder, signal))?.stored;
}

/** @internal Removes the holder's objects, if it has `id` when one is given (check, then delete). */
export async function breakCandidateHolder(folder: VfsPath, options: { id?: string; signal?: AbortSignal }): Promise<LeaseRecord | undefined> {
  const holder = await holderTicket(folder, options.signal);
  if (!holder) return undefined;
  if (options.id !== undefined && holder.contender.id !== options.id) throw changedHands(folder, options.id, holder.stored.record);
  await removeContender({ ...holder.contender, intent: folder.join(`${INTENT}${holder.contender.id}`) }, options.signal);
  return holder.stored.record ?? { ...newLeaseRecord({ ttlMs: 0 }), id: holder.contender.id };
}

