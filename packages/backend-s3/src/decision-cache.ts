/**
 * What Statestore decided about an S3-compatible server and keeps between runs, so that a check that costs
 * a write is made once per endpoint and bucket, not once per command: one small JSON file in the cache
 * folder ($STATESTORE_CACHE, else ~/.cache/statestore), each entry valid for a time-to-live. A missing,
 * unreadable or corrupt file only means deciding again; one that cannot be written is left alone (the
 * decision then holds for this process only). Writes go through a temp file and a rename, so a reader
 * never sees half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How long a decision holds: a server's configuration can change, so it is checked again after a day. */
export const DECISION_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry {
  value: boolean;
  /** When it was decided (ISO 8601). */
  decidedAt: string;
}

export class DecisionCache {
  constructor(
    /** The JSON file. */
    readonly file: string,
    private readonly ttlMs = DECISION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cache file `name` in `folder`. */
  static in(folder: string, name: string): DecisionCache {
    return new DecisionCache(path.join(folder, name));
  }

  /** The decision for `key` while it is younger than the time-to-live, else undefined. */
  get(key: string): boolean | undefined {
    const entry = this.read()[key];
    if (!entry || typeof entry.value !== 'boolean') return undefined;
    const age = this.now() - Date.parse(entry.decidedAt);
    return age >= 0 && age < this.ttlMs ? entry.value : undefined;
  }

  set(key: string, value: boolean): void {
    this.update((entries) => {
      entries[key] = { value, decidedAt: new Date(this.now()).toISOString() };
    });
  }

  delete(key: string): void {
    this.update((entries) => {
      delete entries[key];
    });
  }

  private read(): Record<string, Entry> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Entry>) : {};
    } catch {
      return {};
    }
  }

  private update(change: (entries: Record<string, Entry>) => void): void {
    const entries = this.read();
    change(entries);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(temp, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, this.file);
    } catch {
      // A read-only home: the decision is kept for this process only.
    }
  }
}
