import { RequestError } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { captureLogs } from "../../test/log-capture.js";
import { parsePrometheusTextFormat, sampleValue } from "../../test/prometheus.js";
import { shuttingDown, unanswered } from "./host-answers.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";

function host() {
  const logs = captureLogs();
  const metrics = createMetrics({
    agentLabel: false,
    gauges: {
      queue: () => ({ running: 0, queued: 0 }),
      templates: () => ({ loaded: 0, rejected: 0 }),
      retention: () => undefined,
    },
  });
  const unrouted = async (status: number) => {
    const families = parsePrometheusTextFormat(await metrics.render());
    return sampleValue(families.get("agentrt_http_requests_total"), {
      method: "_OTHER",
      route: "",
      status: String(status),
    });
  };
  return {
    logger: createLogger({ level: "debug", destination: logs.stream }),
    metrics,
    lines: logs.parsed,
    unrouted,
  };
}

describe("answers given outside the app", () => {
  it("a request with no valid URL: 400 BAD_REQUEST, logged at debug, counted", async () => {
    const { logger, metrics, lines, unrouted } = host();
    const res = unanswered(new RequestError("Invalid URL"), logger, metrics);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(lines()).toMatchObject([{ level: "debug", msg: "request rejected before routing", status: 400 }]);
    expect(await unrouted(400)).toBe(1);
  });

  it("anything else thrown before or around the app: 500 INTERNAL, its stack logged, never sent", async () => {
    const { logger, metrics, lines, unrouted } = host();
    const error = new TypeError("cannot read properties of undefined (secret-looking detail)");
    const res = unanswered(error, logger, metrics);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ status: 500, code: "INTERNAL" });
    expect(body).not.toContain("secret-looking detail");
    expect(lines()).toMatchObject([{ level: "error", msg: "request failed outside the app" }]);
    expect(lines()[0]!.error).toContain(error.stack);
    expect(await unrouted(500)).toBe(1);
    unanswered("a thrown string", logger, metrics);
    expect(lines()[1]).toMatchObject({ level: "error", error: "a thrown string" });
    expect(await unrouted(500)).toBe(2);
  });

  it("a request during shutdown: 503 NOT_READY, retry elsewhere in a second, counted", async () => {
    const { metrics, unrouted } = host();
    const res = shuttingDown(metrics);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toMatchObject({ status: 503, code: "NOT_READY" });
    expect(await unrouted(503)).toBe(1);
  });
});
