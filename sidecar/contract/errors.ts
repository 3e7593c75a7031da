/**
 * The kinds of failure worded for the user. The CLI and the server tell them apart only where they answer
 * differently: a failed or cancelled run, a party another process is running.
 */
export type UserErrorKind = 'failure' | 'run-failed' | 'run-cancelled' | 'party-busy';

/**
 * A failure whose message is a sentence for the user (what was wrong, and what to do): the CLI prints it as one line
 * (its `details` first, e.g. one per configuration problem) and exits 1; the server answers it as the request's error.
 * Anything else that is thrown is an internal error.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** Further lines that belong to the failure (each problem of a configuration). */
    readonly details: readonly string[] = [],
    readonly kind: UserErrorKind = 'failure',
  ) {
    super(message);
  }
}
