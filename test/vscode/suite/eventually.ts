/** What `eventually` polls: something truthy once the awaited state is reached. */
export type Probe<T> = () => Promise<T | undefined | false> | T | undefined | false;

/**
 * Polls `probe` every 100 ms until it returns something truthy (a probe that throws is tried again); fails at the
 * deadline naming `what` and the last error. The suites wait on state this way, never by sleeping.
 */
export async function eventually<T>(what: string, probe: Probe<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
