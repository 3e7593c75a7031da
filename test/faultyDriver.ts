import type { CacheDriver } from '../sidecar/cache/driver';
import type { CacheEntry } from '../sidecar/store/cacheEntries';

/** Wraps a tier and fails its calls on demand, the way a dead or flaky server would (bentocache's chaos driver). */
export class FaultyDriver implements CacheDriver {
  failing = false;
  calls = 0;

  constructor(private readonly inner: CacheDriver) {}

  get tier() {
    return this.inner.tier;
  }

  private async call<T>(work: () => T | Promise<T>): Promise<T> {
    this.calls++;
    if (this.failing) throw new Error(`${this.inner.tier} is down (injected)`);
    return work();
  }

  get(key: string): Promise<CacheEntry | undefined> {
    return this.call(() => this.inner.get(key));
  }
  set(entry: CacheEntry): Promise<void> {
    return this.call(() => this.inner.set(entry));
  }
  delete(key: string): Promise<boolean> {
    return this.call(() => this.inner.delete(key));
  }
  clear(agent?: string): Promise<number> {
    return this.call(() => this.inner.clear(agent));
  }
  size(): Promise<{ entries: number; bytes: number }> {
    return this.call(() => this.inner.size());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
