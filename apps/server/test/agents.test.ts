import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("agents API", () => {
  it("creates an agent with schema defaults applied and reads it by id and by name", async () => {
    const created = await server.call("POST", "/v1/agents", {
      name: "greeter",
      template: "echo",
      config: { greeting: "hi" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/v1/agents/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: "greeter",
      description: null,
      template: { name: "echo", version: "1.2.0", range: "*" },
      config: { greeting: "hi", repeat: 1, shout: false, tags: [] },
      revision: 1,
      status: "active",
    });
    expect((await server.call("GET", `/v1/agents/${created.body.id}`)).body).toEqual(created.body);
    expect((await server.call("GET", "/v1/agents/greeter")).body).toEqual(created.body);
  });

  it("reports config problems as 422 with paths into the request body", async () => {
    const res = await server.call("POST", "/v1/agents", {
      name: "bad",
      template: "echo",
      config: { repeat: 9, tags: [1] },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe("CONFIG_INVALID");
    expect(res.body.errors.map((e: { path: unknown[] }) => e.path)).toEqual([
      ["config", "repeat"],
      ["config", "tags", 0],
    ]);
  });

  it("runs the template's validate hook (cross-field rule)", async () => {
    const res = await server.call("POST", "/v1/agents", {
      name: "loud",
      template: "echo",
      config: { shout: true, greeting: "a greeting much longer than twenty characters" },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: ["config", "greeting"], message: "a shouted greeting must be at most 20 characters" },
    ]);
  });

  it("rejects unknown templates, bad names, unknown fields and duplicate names", async () => {
    expect((await server.call("POST", "/v1/agents", { name: "x1", template: "nope" })).body.code).toBe(
      "TEMPLATE_NOT_FOUND",
    );
    expect((await server.call("POST", "/v1/agents", { name: "x2", template: "echo@^9" })).body.code).toBe(
      "TEMPLATE_VERSION_NOT_FOUND",
    );
    const badName = await server.call("POST", "/v1/agents", { name: "no spaces!", template: "echo" });
    expect(badName.status).toBe(422);
    expect(badName.body.errors[0].path).toEqual(["name"]);
    expect((await server.call("POST", "/v1/agents", { name: "agt_fake", template: "echo" })).status).toBe(
      422,
    );
    const unknown = await server.call("POST", "/v1/agents", { name: "x3", template: "echo", colour: "red" });
    expect(unknown.status).toBe(422);
    await server.call("POST", "/v1/agents", { name: "dup", template: "echo" });
    const dup = await server.call("POST", "/v1/agents", { name: "dup", template: "echo" });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("AGENT_NAME_TAKEN");
  });

  it("pages and filters the list", async () => {
    for (let i = 0; i < 5; i++)
      await server.call("POST", "/v1/agents", { name: `page-${i}`, template: "multi@^1" });
    const first = await server.call("GET", "/v1/agents?template=multi&limit=2");
    expect(first.body.data.map((a: { name: string }) => a.name)).toEqual(["page-4", "page-3"]);
    const second = await server.call(
      "GET",
      `/v1/agents?template=multi&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.data.map((a: { name: string }) => a.name)).toEqual(["page-2", "page-1"]);
    const third = await server.call(
      "GET",
      `/v1/agents?template=multi&limit=2&cursor=${second.body.nextCursor}`,
    );
    expect(third.body).toMatchObject({ data: [{ name: "page-0" }], nextCursor: null });
    expect((await server.call("GET", "/v1/agents?limit=0")).status).toBe(422);
    expect((await server.call("GET", "/v1/agents?status=sleeping")).status).toBe(422);
  });

  it("makes a revision only when a PATCH changes the config", async () => {
    const { body: agent } = await server.call("POST", "/v1/agents", { name: "rev", template: "echo" });
    const renamed = await server.call("PATCH", "/v1/agents/rev", { name: "rev2", description: "renamed" });
    expect(renamed.body).toMatchObject({ name: "rev2", description: "renamed", revision: 1 });
    const same = await server.call("PATCH", `/v1/agents/${agent.id}`, { config: {} });
    expect(same.body.revision).toBe(1);
    const changed = await server.call("PATCH", `/v1/agents/${agent.id}`, { config: { greeting: "yo" } });
    expect(changed.body).toMatchObject({ revision: 2, config: { greeting: "yo" } });
    const invalid = await server.call("PATCH", `/v1/agents/${agent.id}`, { config: { repeat: "many" } });
    expect(invalid.status).toBe(422);
    const revisions = await server.call("GET", `/v1/agents/${agent.id}/revisions`);
    expect(
      revisions.body.data.map((r: { revision: number; config: { greeting: string } }) => [
        r.revision,
        r.config.greeting,
      ]),
    ).toEqual([
      [2, "yo"],
      [1, "hello"],
    ]);
    expect((await server.call("PATCH", "/v1/agents/dup", { name: "rev2" })).body.code).toBe(
      "AGENT_NAME_TAKEN",
    );
  });

  it("pauses, resumes and deletes", async () => {
    await server.call("POST", "/v1/agents", { name: "lifecycle", template: "echo" });
    expect((await server.call("POST", "/v1/agents/lifecycle/pause")).body.status).toBe("paused");
    expect(
      (await server.call("GET", "/v1/agents?status=paused")).body.data.map((a: { name: string }) => a.name),
    ).toContain("lifecycle");
    expect((await server.call("POST", "/v1/agents/lifecycle/resume")).body.status).toBe("active");
    expect((await server.call("DELETE", "/v1/agents/lifecycle")).status).toBe(204);
    const gone = await server.call("GET", "/v1/agents/lifecycle");
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe("AGENT_NOT_FOUND");
    expect((await server.call("DELETE", "/v1/agents/lifecycle")).status).toBe(404);
    expect((await server.call("GET", "/v1/agents/lifecycle/revisions")).status).toBe(404);
  });
});

describe("template versions side by side and upgrades", () => {
  it("pins a major with name@range and upgrades with the migration", async () => {
    const { body: agent } = await server.call("POST", "/v1/agents", {
      name: "old",
      template: "multi@^1",
      config: { label: "keep" },
    });
    expect(agent.template).toEqual({ name: "multi", version: "1.0.0", range: "^1" });

    const dry = await server.call("POST", "/v1/agents/old/upgrade", { to: "^2", dryRun: true });
    expect(dry.body).toMatchObject({
      dryRun: true,
      from: "1.0.0",
      to: "2.0.0",
      appliedMigrations: ["2.0.0"],
      valid: true,
      config: { title: "keep" },
    });
    expect((await server.call("GET", "/v1/agents/old")).body).toMatchObject({
      revision: 1,
      config: { label: "keep" },
    });

    const real = await server.call("POST", "/v1/agents/old/upgrade", { to: "^2" });
    expect(real.body.agent).toMatchObject({
      revision: 2,
      // The range asked for is now the agent's range.
      template: { version: "2.0.0", range: "^2" },
      config: { title: "keep" },
    });

    // No migration leads back to 1.x: the downgrade would lose `title`, so it is refused.
    const down = await server.call("POST", "/v1/agents/old/upgrade", { to: "^1", dryRun: true });
    expect(down).toMatchObject({ status: 409, body: { code: "DOWNGRADE_REFUSED" } });

    // A malformed range is bad input, not a missing version.
    const malformed = await server.call("POST", "/v1/agents/old/upgrade", { to: "not a range!" });
    expect(malformed).toMatchObject({
      status: 422,
      body: { code: "VALIDATION_FAILED", errors: [{ path: ["to"] }] },
    });

    // Rolling back to revision 1 restores its template version and config as revision 3.
    const rolled = await server.call("POST", "/v1/agents/old/rollback", { revision: 1 });
    expect(rolled).toMatchObject({
      status: 200,
      body: { revision: 3, template: { version: "1.0.0" }, config: { label: "keep" } },
    });
    const missing = await server.call("POST", "/v1/agents/old/rollback", { revision: 42 });
    expect(missing).toMatchObject({ status: 404, body: { code: "REVISION_NOT_FOUND" } });
    const bad = await server.call("POST", "/v1/agents/old/rollback", { revision: 0 });
    expect(bad).toMatchObject({ status: 422, body: { errors: [{ path: ["revision"] }] } });
  });

  it("leaves the agent untouched when a migration or the migrated config fails", async () => {
    await server.call("POST", "/v1/agents", {
      name: "explosive",
      template: "multi@^1",
      config: { label: "explode" },
    });
    const failed = await server.call("POST", "/v1/agents/explosive/upgrade", {});
    expect(failed.status).toBe(422);
    expect(failed.body.code).toBe("MIGRATION_FAILED");

    await server.call("POST", "/v1/agents", {
      name: "empty-label",
      template: "multi@^1",
      config: { label: "" },
    });
    const dry = await server.call("POST", "/v1/agents/empty-label/upgrade", { dryRun: true });
    expect(dry.body).toMatchObject({ valid: false, errors: [{ path: ["title"] }] });
    const invalid = await server.call("POST", "/v1/agents/empty-label/upgrade", {});
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].path).toEqual(["config", "title"]);

    for (const name of ["explosive", "empty-label"]) {
      const agent = (await server.call("GET", `/v1/agents/${name}`)).body;
      expect(agent).toMatchObject({ revision: 1, template: { version: "1.0.0" } });
      expect((await server.call("GET", `/v1/agents/${name}/revisions`)).body.data).toHaveLength(1);
    }
  });
});
