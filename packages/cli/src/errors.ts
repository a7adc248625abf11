/**
 * Exit codes: 0 ok, 1 failure (including "differences found" for diff-like commands), 2 usage
 * (unknown command or option, missing argument, a question nobody can answer); `lock run` passes its
 * command's code through, and exits 3 when it lost the lease and stopped the command.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_LEASE_LOST = 3;

/** A mistake in how the command was called; printed with a pointer to --help, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
