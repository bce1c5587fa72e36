// @ts-expect-error the parser ships no types; its output is typed below
import parsePrometheusText from "parse-prometheus-text-format";
import { expect } from "vitest";
import type { TestServer } from "./helpers.js";

export interface Sample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
}
export interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}

/** GET /metrics, parsed by a real Prometheus text-format parser: the families by name. */
export async function scrapeMetrics(server: TestServer): Promise<Map<string, Family>> {
  const res = await server.api("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await res.text());
}

/** Prometheus text, parsed by a real Prometheus text-format parser: the families by name. */
export function parsePrometheusTextFormat(text: string): Map<string, Family> {
  const families = parsePrometheusText(text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of the family's sample with all of `labels` (NaN when there is none). */
export const sampleValue = (family: Family | undefined, labels: Record<string, string>) =>
  Number(family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
