/**
 * `Date.now()` read at most about once a millisecond. On the memory tier's hit path the clock costs more than the
 * lookup (on the 2-core bench machine: Date.now ~60 ns, an LRU get ~45 ns), so the time is kept until a timer
 * (unref'd, armed only while the clock is read) clears it when the event loop next turns, after at least 1 ms.
 * An entry may so be served about a millisecond (or one synchronous stretch of work) past its expiry; TTLs are
 * minutes to days. lru-cache debounces its own clock the same way (`ttlResolution`).
 */
let kept = 0;

const forget = (): void => {
  kept = 0;
};

export function coarseNow(): number {
  if (kept) return kept;
  kept = Date.now();
  setTimeout(forget, 1).unref();
  return kept;
}
