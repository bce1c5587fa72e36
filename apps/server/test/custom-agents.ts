import { expect } from "vitest";
import type { TestServer } from "./helpers.js";
import { readSse, type SseEvent } from "./sse.js";

export type Language = "javascript" | "typescript" | "python";

/** A run as the API returns it (the fields these tests read). */
export interface Run {
  id: string;
  status: string;
  // biome-ignore lint/suspicious/noExplicitAny: user code returns arbitrary JSON
  output: any;
  error: { code: string; message: string } | null;
}

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export interface CustomAgents {
  /** Creates a `custom` agent (inline code unless the config says otherwise); expects 201. */
  create(language: Language, content: string, config?: Record<string, unknown>): Promise<string>;
  /** Tries to create a `custom` agent that must be refused; returns the status and problem body. */
  refuse(config: Record<string, unknown>): Promise<{ status: number; code: string; issues: ConfigIssue[] }>;
  /** A synchronous run through `POST /v1/agents/{agent}/runs`. */
  run(agent: string, input?: unknown): Promise<Run>;
  /** A streamed run: its id and every event of the run, ending with `run.finished`. */
  stream(agent: string, input?: unknown): Promise<{ runId: string; events: SseEvent[] }>;
  /** Every stored event of a finished run, from `GET /v1/runs/{id}/events`. */
  events(runId: string): Promise<SseEvent[]>;
}

/** Agent names unique within the server, so every case gets its own agent. */
let created = 0;

export function createCustomAgents(server: TestServer): CustomAgents {
  return {
    async create(language, content, config = {}) {
      const name = `custom-${++created}`;
      const res = await server.call("POST", "/v1/agents", {
        name,
        template: "custom",
        config: { type: "inline", language, content, ...config },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return name;
    },
    async refuse(config) {
      const res = await server.call("POST", "/v1/agents", {
        name: `refused-${++created}`,
        template: "custom",
        config,
      });
      return { status: res.status, code: res.body?.code, issues: res.body?.errors ?? [] };
    },
    async run(agent, input = null) {
      const res = await server.call("POST", `/v1/agents/${agent}/runs`, { input });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Run;
    },
    async stream(agent, input = null) {
      const res = await server.api(`/v1/agents/${agent}/runs`, {
        method: "POST",
        body: JSON.stringify({ input, mode: "stream" }),
      });
      expect(res.status).toBe(200);
      return { runId: res.headers.get("x-agentrt-run-id") ?? "", events: await readSse(res) };
    },
    async events(runId) {
      return readSse(await server.api(`/v1/runs/${runId}/events`));
    },
  };
}
