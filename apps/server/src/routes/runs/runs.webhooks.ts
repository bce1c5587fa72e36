import { RUN_FINISHED_EVENT } from "@agentrt/runtime";
import { createRoute, z } from "@hono/zod-openapi";
import { RunSchema } from "./runs.routes.js";

/** The body of a run webhook: the Standard Webhooks envelope around the finished run's summary. */
export const RunFinishedWebhookSchema = z
  .object({
    type: z.literal(RUN_FINISHED_EVENT),
    timestamp: z.string().openapi({ description: "When the run finished (ISO 8601)" }),
    data: RunSchema.pick({
      id: true,
      agentId: true,
      threadId: true,
      scheduleId: true,
      status: true,
      output: true,
      error: true,
      createdAt: true,
      finishedAt: true,
    }),
  })
  .openapi("RunFinishedWebhook");

/**
 * What agentrt POSTs to a run's or schedule's `webhookUrl`, documented as an OpenAPI 3.1 webhook.
 * Delivery is at least once; the receiver deduplicates on `webhook-id`.
 */
export const runFinishedWebhook = createRoute({
  method: "post",
  path: RUN_FINISHED_EVENT,
  tags: ["Runs"],
  summary: "A run reached a terminal state (Standard Webhooks)",
  description: [
    "Signed per the [Standard Webhooks](https://www.standardwebhooks.com/) specification: `webhook-signature` is `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` under `AGENTRT_WEBHOOK_SECRET`.",
    'Verify with any Standard Webhooks library, e.g. `new Webhook(secret, { format: "raw" }).verify(body, headers)` (or `new Webhook(secret)` for a `whsec_` secret); it also rejects timestamps more than 5 minutes off, i.e. replays.',
    "A non-2xx answer or a timeout is retried with exponential backoff (5 attempts); every attempt is listed in the run's `webhookDeliveries`.",
  ].join("\n\n"),
  request: {
    headers: z.object({
      "webhook-id": z.string().openapi({ description: "The run id: the same on every retry of this event" }),
      "webhook-timestamp": z.string().openapi({ description: "Unix seconds of this attempt" }),
      "webhook-signature": z.string().openapi({ description: "`v1,<base64 signature>`" }),
    }),
    body: { content: { "application/json": { schema: RunFinishedWebhookSchema } }, required: true },
  },
  responses: { 200: { description: "Any 2xx acknowledges the delivery" } },
});
