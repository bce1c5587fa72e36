import {
  INVALIDATION_KINDS,
  type Invalidation,
  type InvalidationKind,
  type StoreBus,
} from "@agentrt/runtime";
import pg from "pg";
import { quoteIdent } from "./database.js";

export interface PostgresBusOptions {
  /** Where the listening connection goes (its own connection: LISTEN holds it). */
  url: string;
  /** Names the listening connection (`application_name`), so operators can tell nodes apart. */
  connectionName: string;
  eventChannel: string;
  cancelChannel: string;
  workChannel: string;
  invalidateChannel: string;
  /**
   * Test only: invalidations are neither sent nor heard, as if every notification were lost, so
   * tests can show that caches still catch up by age.
   */
  dropInvalidations?: boolean | undefined;
  /** Sends a notification (through the store's pool). */
  notify(channel: string, payload: string): Promise<void>;
  /** Told about a lost listening connection; the bus reconnects by itself. */
  onError?: ((error: Error) => void) | undefined;
}

export interface PostgresBus extends StoreBus {
  /** Resolves once this node listens (subscribing starts it). */
  listening(): Promise<void>;
  close(): Promise<void>;
}

const RECONNECT_MS = 1000;

/** `<kind> <id>[ <revision>]`, as `invalidate` sends it; anything else is ignored. */
function parseInvalidation(payload: string): Invalidation | undefined {
  const [kind, id, revision] = payload.split(" ");
  if (!id || !INVALIDATION_KINDS.includes(kind as InvalidationKind)) return undefined;
  const change: Invalidation = { kind: kind as InvalidationKind, id };
  if (revision !== undefined) {
    change.revision = Number(revision);
    if (!Number.isSafeInteger(change.revision)) return undefined;
  }
  return change;
}

/**
 * LISTEN/NOTIFY between the nodes of one store. One connection per node listens on the event,
 * cancel, work and invalidation channels, opened when the first listener subscribes. A lost
 * connection is reopened after a second; what was sent meanwhile is not heard, so `onResumed`
 * listeners are told once it is back (the store stays the truth: followers read what they missed
 * from it; caches re-read by age).
 */
export function createPostgresBus(options: PostgresBusOptions): PostgresBus {
  const eventListeners = new Set<(runId: string, firstSeq: number) => void>();
  const cancelListeners = new Set<(runId: string) => void>();
  const workListeners = new Set<() => void>();
  const invalidateListeners = new Set<(change: Invalidation) => void>();
  const resumedListeners = new Set<() => void>();
  let client: pg.Client | undefined;
  /** A listening connection was lost: the next one that opens resumes the bus. */
  let cutOff = false;
  let connecting: Promise<void> | undefined;
  let closed = false;

  function dispatch(message: pg.Notification): void {
    const payload = message.payload ?? "";
    if (message.channel === options.eventChannel) {
      const [runId, seq] = payload.split(" ");
      const firstSeq = Number(seq);
      if (!runId || !Number.isSafeInteger(firstSeq)) return;
      for (const listener of [...eventListeners]) listener(runId, firstSeq);
    } else if (message.channel === options.cancelChannel) {
      for (const listener of [...cancelListeners]) listener(payload);
    } else if (message.channel === options.workChannel) {
      for (const listener of [...workListeners]) listener();
    } else if (message.channel === options.invalidateChannel && !options.dropInvalidations) {
      const change = parseInvalidation(payload);
      if (change) for (const listener of [...invalidateListeners]) listener(change);
    }
  }

  /** Tries again every second until a connection listens (the server may be down a while). */
  function reconnectLater(): void {
    setTimeout(() => {
      if (!closed) connect().catch(reconnectLater);
    }, RECONNECT_MS).unref();
  }

  function connect(): Promise<void> {
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: options.url, application_name: options.connectionName });
      next.on("notification", dispatch);
      const lost = (error: Error) => {
        if (client !== next) return;
        client = undefined;
        connecting = undefined;
        cutOff = true;
        next.end().catch(() => {});
        if (closed) return;
        options.onError?.(error);
        reconnectLater();
      };
      next.on("error", lost);
      next.on("end", () => lost(new Error("the listening connection ended")));
      try {
        await next.connect();
        await next.query(
          [options.eventChannel, options.cancelChannel, options.workChannel, options.invalidateChannel]
            .map((channel) => `LISTEN ${quoteIdent(channel)};`)
            .join(" "),
        );
      } catch (error) {
        connecting = undefined;
        await next.end().catch(() => {});
        throw error;
      }
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      if (cutOff) {
        cutOff = false;
        for (const listener of [...resumedListeners]) listener();
      }
    })();
    return connecting;
  }

  function subscribe<L>(set: Set<L>, listener: L): () => void {
    set.add(listener);
    connect().catch((error: unknown) => options.onError?.(error as Error));
    return () => {
      set.delete(listener);
    };
  }

  return {
    onEvents: (listener) => subscribe(eventListeners, listener),
    onCancelRequest: (listener) => subscribe(cancelListeners, listener),
    requestCancel: (runId) => options.notify(options.cancelChannel, runId),
    onRunsAnnounced: (listener) => subscribe(workListeners, listener),
    onResumed: (listener) => subscribe(resumedListeners, listener),
    announceRuns: () => options.notify(options.workChannel, ""),
    onInvalidate: (listener) => subscribe(invalidateListeners, listener),
    invalidate: async (change) => {
      if (options.dropInvalidations) return;
      const revision = change.revision === undefined ? "" : ` ${change.revision}`;
      await options.notify(options.invalidateChannel, `${change.kind} ${change.id}${revision}`);
    },
    listening: connect,
    async close() {
      closed = true;
      await connecting?.catch(() => {});
      const current = client;
      client = undefined;
      await current?.end();
    },
  };
}
