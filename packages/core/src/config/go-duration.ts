/**
 * Go durations (`1m30s`, `500ms`, `1.5h`), as kops stores `metav1.Duration` fields: parsed with Go's
 * syntax and written back in Go's canonical form (`90s` → `1m30s`, `1m` → `1m0s`).
 */
import { InvalidConfigError } from '../errors/errors.js';

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds of a Go duration string. */
export function parseGoDuration(text: string): number {
  const fail = (): never => {
    throw new InvalidConfigError(`Cannot interpret ${JSON.stringify(text)} as a duration: use Go syntax such as 30s, 1m30s or 500ms`);
  };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') fail();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/.exec(s);
    if (!m || m[1] === '' || m[1] === '.') fail();
    total += Number(m![1]) * UNITS[m![2]!]!;
    s = s.slice(m![0].length);
  }
  return sign * Math.round(total);
}

/** Go's `time.Duration.String()`. */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const negative = nanoseconds < 0;
  let ns = Math.abs(nanoseconds);
  const sign = negative ? '-' : '';
  if (ns < 1e9) {
    if (ns < 1e3) return `${sign}${ns}ns`;
    if (ns < 1e6) return `${sign}${trim(ns / 1e3)}µs`;
    return `${sign}${trim(ns / 1e6)}ms`;
  }
  const hours = Math.floor(ns / 3600e9);
  ns -= hours * 3600e9;
  const minutes = Math.floor(ns / 60e9);
  ns -= minutes * 60e9;
  const seconds = `${trim(ns / 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trim(value: number): string {
  return Number(value.toFixed(9)).toString();
}
