import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@agentrt/core";
import { nowIso } from "../ids.js";
import type { RunRecord, WebhookDelivery } from "../store.js";
import type { RunJournal } from "./run-journal.js";

export interface WebhookOptions {
  /** HMAC-SHA256 key for `X-Agentrt-Signature`. */
  secret: string;
  /** Attempts in total, including the first (default 5). */
  maxAttempts?: number;
  /** Wait before the 2nd attempt; doubles for each further one (default 1000 ms). */
  backoffMs?: number;
  /** Per-attempt request timeout (default 10 s). */
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = "x-agentrt-signature";
export const TIMESTAMP_HEADER = "x-agentrt-timestamp";

/** `sha256=<hex>` of the exact body bytes; receivers recompute it with the shared secret. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The JSON summary POSTed when a run reaches a terminal state. */
export function webhookPayload(run: RunRecord): string {
  const { id, agentId, status, output, error, createdAt, finishedAt } = run;
  return JSON.stringify({ id, agentId, status, output, error, createdAt, finishedAt });
}

export interface WebhookSender {
  /** Starts delivery in the background; every attempt is recorded on the run. */
  deliver(run: RunRecord): void;
  /** Stops retrying and waits for attempts in flight (shutdown). */
  close(): Promise<void>;
}

export function createWebhookSender(
  options: WebhookOptions,
  journal: RunJournal,
  logger: Logger,
): WebhookSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stop = new AbortController();
  const inFlight = new Set<Promise<void>>();

  async function attempt(url: string, body: string): Promise<Pick<WebhookDelivery, "status" | "error">> {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "agentrt-webhooks",
          [SIGNATURE_HEADER]: signWebhookBody(options.secret, body),
          [TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel();
      return { status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      return { status: null, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function run(record: RunRecord, url: string): Promise<void> {
    const body = webhookPayload(record);
    const deliveries = [...record.webhookDeliveries];
    for (let n = 1; n <= maxAttempts && !stop.signal.aborted; n++) {
      const at = nowIso();
      const result = await attempt(url, body);
      deliveries.push({ attempt: n, at, ...result });
      await journal.update(record.id, { webhookDeliveries: [...deliveries] });
      if (result.error === null) return;
      logger.warn("webhook delivery failed", { runId: record.id, attempt: n, error: result.error });
      if (n < maxAttempts) await sleep(backoffMs * 2 ** (n - 1), undefined, { signal: stop.signal });
    }
  }

  return {
    deliver(record) {
      if (!record.webhookUrl) return;
      const task = run(record, record.webhookUrl).catch((error: unknown) => {
        if (!stop.signal.aborted)
          logger.error("webhook delivery crashed", { runId: record.id, error: String(error) });
      });
      inFlight.add(task);
      task.finally(() => inFlight.delete(task));
    },
    async close() {
      stop.abort();
      await Promise.all(inFlight);
    },
  };
}
