import type { Leases } from '../store/leases';
import type { RedisDriver } from './redisDriver';

/** A producer's hold on one key, released when its entry is stored (or its production failed). */
export interface KeyLease {
  release(): Promise<void>;
}

/**
 * One producer per result key across processes: a lease in the workspace database (every process on it), and in
 * Redis when it is connected (a team's machines). `take` answers null when someone else produces the key now.
 */
export class KeyLeases {
  constructor(
    private readonly leases: Leases,
    private readonly redis?: RedisDriver,
  ) {}

  async take(key: string): Promise<KeyLease | null> {
    const name = `key:${key}`;
    const local = this.leases.take(name);
    if (!local.acquired) return null;
    const stop = this.leases.keepAlive(name, local.owner);
    const team = await this.redis?.lease(key, local.owner, this.leases.ttlMs * 4);
    const release = async (): Promise<void> => {
      stop();
      this.leases.release(name, local.owner);
      if (team) await this.redis!.unlease(key, local.owner);
    };
    if (team === false) {
      await release();
      return null;
    }
    return { release };
  }
}
