/**
 * driver-kit/options owns reading settings with one dialect for every driver: a variable's value (trimmed,
 * blank as unset), yes/no values (`1 t true y yes on` / `0 f false n no off`, any case), whole numbers
 * within bounds, and one of a list of words. Anything else is an InvalidConfigError that names the
 * variable or option and says what to give.
 */
import { InvalidConfigError } from '../errors/errors.js';

const TRUE = new Set(['1', 't', 'true', 'y', 'yes', 'on']);
const FALSE = new Set(['0', 'f', 'false', 'n', 'no', 'off']);

/** A variable's value, trimmed; undefined when it is unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A yes/no value; unset or blank is `fallback`; anything but the words above is refused, naming `name`. */
export function parseBoolean(value: string | boolean | undefined, name: string, fallback = false): boolean {
  if (typeof value === 'boolean') return value;
  const word = value?.trim().toLowerCase() ?? '';
  if (word === '') return fallback;
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  throw new InvalidConfigError(`${name}=${value} is not a yes/no value; use true or false (or 1/0, yes/no, on/off)`);
}

/** The yes/no variable `name` of `env`. */
export function booleanVariable(env: NodeJS.ProcessEnv, name: string, fallback = false): boolean {
  return parseBoolean(env[name], name, fallback);
}

export interface IntegerBounds {
  min: number;
  max?: number;
  /** Unit shown in the message, e.g. `bytes`. */
  unit?: string;
}

/** A whole number (a number, or digits in a string) within bounds; undefined gives `fallback`. */
export function integerOption(value: unknown, name: string, fallback: number, bounds: IntegerBounds): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < bounds.min || number > max) {
    const unit = bounds.unit ? ` ${bounds.unit}` : '';
    throw new InvalidConfigError(`${name}=${String(value)} must be a whole number${unit} from ${bounds.min}${bounds.max !== undefined ? ` to ${bounds.max}` : ''}`);
  }
  return number;
}

/** One of `choices` (compared without case); undefined or blank gives `fallback`. */
export function choiceOption<T extends string>(value: unknown, name: string, choices: readonly T[], fallback: T): T;
export function choiceOption<T extends string>(value: unknown, name: string, choices: readonly T[]): T | undefined;
export function choiceOption<T extends string>(value: unknown, name: string, choices: readonly T[], fallback?: T): T | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return fallback;
  const found = typeof value === 'string' ? choices.find((c) => c.toLowerCase() === value.trim().toLowerCase()) : undefined;
  if (found === undefined) throw new InvalidConfigError(`${name}=${String(value)} is not one of ${choices.join(', ')}`);
  return found;
}
