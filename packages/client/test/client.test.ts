import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type RunEvent, RunEventsError, runEvents } from "../src/index.js";
import { ADMIN_KEY, startServer } from "./server.js";

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

const client = () => createClient({ baseUrl: server.url, apiKey: ADMIN_KEY });

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** A fetch whose first event-stream response ends after its first event, like a dropped connection. */
function droppingFetch(): { fetch: typeof fetch; lastEventIds: (string | null)[] } {
  const lastEventIds: (string | null)[] = [];
  const dropping: typeof fetch = async (input, init) => {
    lastEventIds.push(new Headers(init?.headers).get("last-event-id"));
    const res = await fetch(input, init);
    if (lastEventIds.length > 1 || !res.body) return res;
    // Pass on exactly the first event, however the server chunked the stream, then close.
    const text = await res.text();
    const firstEvent = /(^|\n)id: [\s\S]*?\n\n/.exec(text);
    if (!firstEvent) throw new Error("no event in the stream");
    const body = text.slice(0, firstEvent.index + firstEvent[0].length);
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { fetch: dropping, lastEventIds };
}

describe("typed client", () => {
  it("creates an agent and reads it back, typed from the OpenAPI document", async () => {
    const created = await client().POST("/v1/agents", {
      body: { name: "greeter", template: "echo", config: { greeting: "hi" } },
    });
    expect(created.error).toBeUndefined();
    expect(created.data).toMatchObject({ name: "greeter", template: { name: "echo" }, revision: 1 });
    const read = await client().GET("/v1/agents/{agent}", { params: { path: { agent: "greeter" } } });
    expect(read.data?.config).toMatchObject({ greeting: "hi" });
  });

  it("returns the server's problem with its code and field paths", async () => {
    const { data, error, response } = await client().POST("/v1/agents", {
      body: {
        name: "shouty",
        template: "echo",
        config: { shout: true, greeting: "a very long greeting indeed" },
      },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(422);
    expect(error).toMatchObject({ code: "CONFIG_INVALID", errors: [{ path: ["config", "greeting"] }] });
  });

  it("sends the API key it was given", async () => {
    const { response, error } = await createClient({ baseUrl: server.url, apiKey: "art_wrong" }).GET(
      "/v1/agents",
    );
    expect(response.status).toBe(401);
    expect(error?.code).toBe("UNAUTHORIZED");
  });
});

describe("runEvents", () => {
  async function startRun(input: unknown) {
    const { data } = await client().POST("/v1/agents/{agent}/runs", {
      params: { path: { agent: "greeter" } },
      body: { input, mode: "background" },
    });
    if (!data || typeof data === "string") throw new Error("run not started");
    return data.id;
  }

  it("follows a run to run.finished", async () => {
    const runId = await startRun("world");
    const events = await collect(runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId }));
    expect(events[0]?.type).toBe("run.queued");
    expect(events.at(-1)).toMatchObject({ type: "run.finished", data: { status: "succeeded" } });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => events[0]!.id + i));
  });

  it("resumes after lastEventId without repeating events", async () => {
    const runId = await startRun("again");
    const all = await collect(runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId }));
    const rest = await collect(
      runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId, lastEventId: all[1]!.id }),
    );
    expect(rest).toEqual(all.slice(2));
  });

  it("reconnects with Last-Event-ID when the connection drops before run.finished", async () => {
    const runId = await startRun("dropped");
    const expected = await collect(runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId }));
    const dropping = droppingFetch();
    const events = await collect(
      runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId, fetch: dropping.fetch }),
    );
    expect(events).toEqual(expected);
    expect(dropping.lastEventIds).toEqual([null, String(expected[0]!.id)]);
  });

  it("throws the server's refusal with its code", async () => {
    const events = runEvents({ baseUrl: server.url, apiKey: ADMIN_KEY, runId: "run_missing" });
    const error = await collect(events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunEventsError);
    expect(error).toMatchObject({ status: 404, code: "RUN_NOT_FOUND" });
  });
});
