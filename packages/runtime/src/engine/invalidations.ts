import type { Logger } from "@agentrt/core";
import type { Invalidation, InvalidationKind, StoreBus } from "../store.js";

/**
 * How long a node may use a cached record without reading it again when other nodes can change it
 * (a shared store): the bound on staleness if a change notification is lost.
 */
export const CACHE_MAX_AGE_MS = 5000;

/**
 * Cache invalidation for this node and, on a store several nodes share, for all of them. A use case
 * that writes a cached record calls `publish` once the write committed; every cache of that kind
 * subscribes once and drops its entry for the id. On one process (no bus) this is the in-process
 * invalidation it always was; on PostgreSQL the bus carries it to the other nodes within
 * milliseconds, and caches also re-read entries older than `maxAgeMs` so a notification lost
 * (listening connection down, test hook) costs at most that long.
 */
export interface Invalidations {
  /** This node's caches drop the record at once; other nodes' when they hear it on the bus. */
  publish(change: Invalidation): Promise<void>;
  /** `listener` hears every change of `kind`, made on this node or any other. Returns the unsubscribe. */
  subscribe(kind: InvalidationKind, listener: (change: Invalidation) => void): () => void;
  /**
   * How long a cached entry may be served before it is read again: `CACHE_MAX_AGE_MS` (or the
   * configured age) on a shared store; `undefined` (forever) when this process is the only writer.
   */
  readonly maxAgeMs: number | undefined;
  /** Stops listening to the bus. */
  close(): void;
}

export function createInvalidations(options: {
  bus?: StoreBus | undefined;
  logger: Logger;
  /** Default `CACHE_MAX_AGE_MS`; used only with a bus. */
  maxAgeMs?: number | undefined;
}): Invalidations {
  const { bus, logger } = options;
  const listeners = new Map<InvalidationKind, Set<(change: Invalidation) => void>>();

  function deliver(change: Invalidation): void {
    for (const listener of [...(listeners.get(change.kind) ?? [])]) {
      try {
        listener(change);
      } catch (error) {
        logger.warn("a cache failed to drop a changed record", { ...change, error: String(error) });
      }
    }
  }

  // Subscribed lazily on the first cache, so a store that has a bus but no cache opens no listener.
  let unsubscribeBus: (() => void) | undefined;

  return {
    async publish(change) {
      deliver(change);
      try {
        await bus?.invalidate(change);
      } catch (error) {
        // The write is done; the other nodes catch up within the max age.
        logger.warn("could not tell other nodes about a change; their caches catch up by age", {
          ...change,
          error: String(error),
        });
      }
    },
    subscribe(kind, listener) {
      const set = listeners.get(kind) ?? new Set();
      listeners.set(kind, set);
      set.add(listener);
      unsubscribeBus ??= bus?.onInvalidate(deliver);
      return () => {
        set.delete(listener);
      };
    },
    maxAgeMs: bus ? (options.maxAgeMs ?? CACHE_MAX_AGE_MS) : undefined,
    close() {
      unsubscribeBus?.();
      unsubscribeBus = undefined;
    },
  };
}
