import { setTimeout as sleep } from "node:timers/promises";
import { AgentrtError, ErrorCode, isAgentrtError, type Logger } from "@agentrt/core";
import { createEgressPolicy, type EgressError, isEgressError, type Resolver } from "@agentrt/egress";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Webhook } from "standardwebhooks";
import { nowIso } from "../ids.js";
import type { RunRecord, WebhookDelivery } from "../store.js";
import type { RunJournal } from "./run-journal.js";
import { type RunObserver, runTraceParent, tracer, type WebhookOutcome } from "./run-telemetry.js";

export interface WebhookOptions {
  /**
   * The Standard Webhooks signing secret: `whsec_<base64>` as the spec writes it, or any other text,
   * whose characters are then the key bytes (receivers use `new Webhook(secret, { format: "raw" })`).
   */
  secret: string;
  /** Attempts in total, including the first (default 5). */
  maxAttempts?: number;
  /** Wait before the 2nd attempt; doubles for each further one (default 1000 ms). */
  backoffMs?: number;
  /** Per-attempt request timeout (default 10 s). */
  timeoutMs?: number;
  /**
   * Internal destinations webhooks may reach: host names, IP addresses or CIDR ranges (entries of
   * `@agentrt/egress`). Every other loopback, private, link-local … address is refused. Default: none.
   */
  allowInternal?: readonly string[];
  /** Replaces the system resolver for webhook hosts (tests, private DNS). */
  resolve?: Resolver;
}

/** The one event type sent today: a run reached a terminal state (`data.status` says which). */
export const RUN_FINISHED_EVENT = "run.finished";

/** A Standard Webhooks signer for the configured secret. */
export function createWebhookSigner(secret: string): Webhook {
  return secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(secret, { format: "raw" });
}

/**
 * The JSON POSTed when a run reaches a terminal state, in the Standard Webhooks envelope
 * (`type`, `timestamp`, `data`). The run's thread and schedule are named, so a receiver can route
 * it without asking back.
 */
export function webhookPayload(run: RunRecord): string {
  const { id, agentId, threadId, scheduleId, status, output, error, createdAt, finishedAt } = run;
  return JSON.stringify({
    type: RUN_FINISHED_EVENT,
    timestamp: finishedAt ?? createdAt,
    data: { id, agentId, threadId, scheduleId, status, output, error, createdAt, finishedAt },
  });
}

/**
 * The Standard Webhooks headers of one attempt: the id stays the run's across retries (receivers
 * deduplicate on it), the timestamp is the attempt's, and the signature covers
 * `id.timestamp.body`, so a replayed or altered delivery fails verification.
 */
export function webhookHeaders(signer: Webhook, messageId: string, body: string, at = new Date()) {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signer.sign(messageId, at, body),
  };
}

export interface WebhookSender {
  /** The checks that need no DNS (scheme, IP literal host); throws VALIDATION_FAILED at `webhookUrl`. */
  checkUrl(url: string): void;
  /**
   * `checkUrl`, then the host's addresses. A host that does not resolve passes: delivery resolves
   * (and checks) again and retries.
   */
  check(url: string): Promise<void>;
  /** Starts delivery in the background; every attempt is recorded on the run. */
  deliver(run: RunRecord): void;
  /** Stops retrying and waits for attempts in flight (shutdown). */
  close(): Promise<void>;
}

/** The 422 for a refused webhook URL: names the rule, never a resolved address. */
function refusedUrl(error: EgressError): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, `webhookUrl is not allowed: ${error.message}`, {
    issues: [
      { path: ["webhookUrl"], message: `refused by the egress policy (${error.reason}): ${error.message}` },
    ],
    details: { rule: error.reason, ...(error.range === undefined ? {} : { range: error.range }) },
  });
}

/** `detail` goes to the operator's log only. */
type Attempt = Pick<WebhookDelivery, "status" | "error"> & { refused?: boolean; detail?: string };

/**
 * What a failed attempt records on the run: its class only. Error text such as
 * `connect ECONNREFUSED 10.0.0.7:8080` would tell the caller about the server's network.
 */
function failedAttempt(error: unknown): Attempt {
  const detail = String((error as Error | null)?.cause ?? error);
  if (isEgressError(error) && error.refused) {
    return { status: null, error: "refused by the egress policy", refused: true, detail };
  }
  if ((error as Error | null)?.name === "TimeoutError") return { status: null, error: "timed out", detail };
  return { status: null, error: "connection failed", detail };
}

function attemptOutcome(attempt: Attempt): WebhookOutcome {
  if (attempt.error === null) return "delivered";
  if (attempt.status !== null) return "rejected";
  if (attempt.refused) return "refused";
  return attempt.error === "timed out" ? "timed_out" : "failed";
}

export function createWebhookSender(
  options: WebhookOptions,
  journal: RunJournal,
  logger: Logger,
  observer?: RunObserver,
): WebhookSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signer = createWebhookSigner(options.secret);
  const stop = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const egress = createEgressPolicy({
    allow: options.allowInternal ?? [],
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });

  function checkUrl(url: string): void {
    try {
      egress.checkUrl(url);
    } catch (error) {
      throw isEgressError(error) ? refusedUrl(error) : error;
    }
  }

  /**
   * One attempt, in a client span: its outcome is counted, never its URL (it may hold secrets). The
   * span joins the trace of the request that created the run (its stored context), whichever node
   * delivers and whatever context happens to be active where the run finished.
   */
  function attempt(record: RunRecord, url: string, body: string): Promise<Attempt> {
    return tracer.startActiveSpan(
      "POST",
      { kind: SpanKind.CLIENT, attributes: { "http.request.method": "POST", "agentrt.webhook": true } },
      runTraceParent(record) ?? ROOT_CONTEXT,
      async (span) => {
        const result = await send(url, record.id, body);
        const outcome = attemptOutcome(result);
        span.setAttribute("agentrt.webhook.outcome", outcome);
        if (result.status !== null) span.setAttribute("http.response.status_code", result.status);
        if (outcome !== "delivered")
          span.setStatus({ code: SpanStatusCode.ERROR, message: result.error ?? "" });
        span.end();
        observer?.webhookAttempt?.(outcome);
        return result;
      },
    );
  }

  async function send(url: string, messageId: string, body: string): Promise<Attempt> {
    try {
      // The egress policy checks the URL and every address it connects to, on each attempt.
      const response = await egress.fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "agentrt-webhooks",
          ...webhookHeaders(signer, messageId, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel();
      return { status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      return failedAttempt(error);
    }
  }

  async function run(record: RunRecord, url: string): Promise<void> {
    const body = webhookPayload(record);
    const deliveries = [...record.webhookDeliveries];
    for (let n = 1; n <= maxAttempts && !stop.signal.aborted; n++) {
      const at = nowIso();
      const { refused, detail, ...result } = await attempt(record, url, body);
      deliveries.push({ attempt: n, at, ...result });
      try {
        await journal.update(record.id, { webhookDeliveries: [...deliveries] });
      } catch (error) {
        if (!isAgentrtError(error) || error.code !== ErrorCode.RUN_NOT_FOUND) throw error;
        // Deleted (on request or by retention) while its webhook was out: nothing left to report to.
        logger.info("webhook delivery stopped: the run was deleted", { runId: record.id, attempt: n });
        return;
      }
      if (result.error === null) return;
      logger.warn("webhook delivery failed", {
        runId: record.id,
        attempt: n,
        error: result.error,
        ...(detail === undefined ? {} : { detail }),
      });
      // The target's addresses are refused now: another attempt would be refused too.
      if (refused) return;
      if (n < maxAttempts) await sleep(backoffMs * 2 ** (n - 1), undefined, { signal: stop.signal });
    }
  }

  return {
    checkUrl,
    async check(url) {
      checkUrl(url);
      try {
        await egress.resolve(url);
      } catch (error) {
        if (isEgressError(error) && error.refused) throw refusedUrl(error);
      }
    },
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
      egress.close();
    },
  };
}
