/** Types of ./guard.mjs (see there). */
export declare class LoopbackOnlyError extends Error {
  readonly code: 'ERR_STATESTORE_LOOPBACK_ONLY';
  readonly host: string;
  constructor(what: string, host: string);
}
export declare function loopbackGuardActive(): boolean;
export declare function refusedHosts(): string[];
