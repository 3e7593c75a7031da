/** An error the CLI reports as one line on stderr and a non-zero exit, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failure,
    /** Further lines printed after the message (e.g. one per configuration problem). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export const exitCodes = {
  ok: 0,
  /** The work could not be done: a broken configuration, an unknown party, a dead store. */
  failure: 1,
  /** The command line itself was wrong. */
  usage: 2,
} as const;
