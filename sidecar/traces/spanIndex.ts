// Spans by trace and span id, for walking up a span's ancestors. Span ids are unique only within a trace (and a spend
// export's ids need not be random), so the index is a map per trace: two lookups, no key to build.

/** A span's place in its trace. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** Walks stop this deep: a parent loop in a hostile trace must not hang the mapping. */
const maxDepth = 256;

/** Items indexed by their trace and span ids. */
export class SpanIndex<T extends SpanLink> {
  private readonly traces = new Map<string, Map<string, T>>();

  constructor(items: Iterable<T> = []) {
    for (const item of items) this.add(item);
  }

  add(item: T): void {
    let trace = this.traces.get(item.traceId);
    if (trace === undefined) this.traces.set(item.traceId, (trace = new Map()));
    trace.set(item.spanId, item);
  }

  has(traceId: string, spanId: string): boolean {
    return this.traces.get(traceId)?.has(spanId) ?? false;
  }

  get(traceId: string, spanId: string): T | undefined {
    return this.traces.get(traceId)?.get(spanId);
  }

  /**
   * The first value `pick` finds walking up from the span `from` (itself included) through the indexed spans;
   * undefined at the root, at a span missing from the index, or `maxDepth` spans up.
   */
  find<R>(traceId: string, from: string | undefined, pick: (item: T) => R | undefined): R | undefined {
    const trace = this.traces.get(traceId);
    for (let depth = 0, at = from; trace !== undefined && at !== undefined && depth < maxDepth; depth++) {
      const item = trace.get(at);
      if (item === undefined) return undefined;
      const found = pick(item);
      if (found !== undefined) return found;
      at = item.parentSpanId;
    }
    return undefined;
  }
}
