/**
 * Keeps warnings that third-party libraries print about themselves out of the `statestore` command's
 * output: the AWS SDK's notice that its releases after January 2027 need Node 22, which every s3://
 * command printed on Node 20 (a supported engine). Only the warnings listed here, recognised by their
 * text; every other warning (Node's, ours, a library's new one) is printed as usual. Only the executable
 * installs this: programs that use the packages as a library keep every warning.
 */

/** Warnings we keep quiet, with where they come from. */
const THIRD_PARTY_WARNINGS: readonly { from: string; matches(text: string): boolean }[] = [
  { from: '@aws-sdk/core: Node versions it will stop supporting', matches: (text) => text.startsWith('NodeVersionSupportWarning:') },
];

/** Drops the listed third-party warnings from this process's `process.emitWarning`. */
export function quietThirdPartyWarnings(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && THIRD_PARTY_WARNINGS.some((w) => w.matches(text))) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
}
