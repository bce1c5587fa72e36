// The console in a real browser (Debian's Chromium through playwright-core) against the real
// server on a real port; the only fake is the model. One server and browser for the whole file:
// later tests use what earlier ones created (the task agent, the chat thread).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY,
  FAKE_KEY,
  type Harness,
  RESULTS_DIR,
  seriousViolations,
  signIn,
  startHarness,
} from "./harness.js";

let h: Harness;
let admin: Page;
beforeAll(async () => {
  h = await startHarness();
  admin = (await h.newPage()).page;
  await signIn(admin, ADMIN_KEY);
});
afterAll(() => h?.close());

/** Errors the browser logged (a CSP refusal, a failed script); the console must cause none. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    // A refused call the test provokes on purpose (a 422 it then shows) is logged too; not a problem.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

/** Goes to a console path inside the app (no reload), as a click on a link would. */
async function open(page: Page, path: string) {
  await page.goto(`/console${path}`);
  await page.getByRole("navigation", { name: "Console" }).waitFor();
}

describe("the console", () => {
  it("first load transfers under 500 KB compressed, under a strict CSP, with no errors", async () => {
    const { context, page } = await h.newPage();
    const problems = watchProblems(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let transferred = 0;
    cdp.on("Network.loadingFinished", (e) => {
      transferred += e.encodedDataLength;
    });
    const res = await page.goto("/console/");
    await page.getByLabel("API key").waitFor();
    await page.waitForLoadState("networkidle");
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    writeFileSync(
      join(RESULTS_DIR, "first-load.json"),
      `${JSON.stringify({ transferredBytes: transferred })}\n`,
    );
    console.log(`first load of /console: ${(transferred / 1024).toFixed(1)} KB transferred`);
    expect(transferred).toBeGreaterThan(10_000);
    expect(transferred).toBeLessThan(500 * 1024);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("signs in with a key kept in sessionStorage, never in the URL", async () => {
    const { context, page } = await h.newPage();
    await page.goto("/console/");
    await page.getByLabel("API key").fill("art_not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not valid/);
    // By keyboard: typing into the key field and Enter signs in; the first Tab reaches the skip link.
    await page.getByLabel("API key").fill("");
    await page.getByLabel("API key").focus();
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press("Enter");
    await page.getByRole("navigation", { name: "Console" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    expect(page.url()).not.toContain(ADMIN_KEY);
    expect(await page.evaluate(() => sessionStorage.getItem("agentrt.apiKey"))).toBe(ADMIN_KEY);
    await page.reload();
    await page.getByRole("navigation", { name: "Console" }).waitFor();
    await context.close();
  });

  it("creates a task agent from the schema form, showing the server's field error on its field", async () => {
    const problems = watchProblems(admin);
    await open(admin, "/agents");
    await admin.getByRole("link", { name: "New agent" }).click();
    await admin.getByLabel("Template").selectOption("task");
    await admin.locator("#root_name").fill("fetcher");
    await admin.locator("#root_config_steps__add").click();
    await admin.locator("#root_config_steps_0__oneof_select").selectOption({ label: "llm" });
    await admin.locator("#root_config_steps_0_id").fill("1bad");
    await admin.locator("#root_config_steps_0_model").fill("fake-model");
    await admin.locator("#root_config_steps_0_baseUrl").fill(h.fake.url);
    await admin.locator("#root_config_steps_0_prompt").fill("Say hi");
    await admin.getByRole("button", { name: "Create agent" }).click();

    // The 422's error for config.steps.0.id appears under that input.
    const idError = admin.locator("#root_config_steps_0_id").locator("xpath=..").locator(".error-detail");
    await expect.poll(() => idError.textContent()).toMatch(/slug/);
    await expect.poll(() => admin.getByRole("alert").first().textContent()).toContain("CONFIG_INVALID");

    await admin.locator("#root_config_steps_0_id").fill("hello");
    await admin.getByRole("button", { name: "Create agent" }).click();
    await admin.getByRole("heading", { name: "Agent fetcher" }).waitFor();
    const { body } = await h.call("GET", "/v1/agents/fetcher");
    expect(body.config.steps[0]).toMatchObject({ id: "hello", kind: "llm", prompt: "Say hi" });
    expect(problems).toEqual([]);
  });

  it("runs the agent and follows its events over SSE until it finishes", async () => {
    // A slow model, so the run is still going when the run view connects.
    h.fake.setLatency(2000, 0);
    h.fake.enqueueReply("Hi from the fake model");
    await admin.getByRole("button", { name: "Start run" }).click();
    await admin.getByRole("heading", { name: /^Run run_/ }).waitFor();
    const state = admin.getByTestId("stream-state");
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toMatch(/live/);
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toContain("finished — succeeded");
    h.fake.setLatency(0, 60);
    const timeline = admin.getByRole("list", { name: "Run events" });
    const types = await timeline.locator("strong").allTextContents();
    expect(types[0]).toBe("run.queued");
    expect(types).toContain("run.started");
    expect(types.at(-1)).toBe("run.finished");
    await expect.poll(() => admin.getByLabel("Output").textContent()).toContain("Hi from the fake model");
    expect(h.fake.requests.at(-1)?.body.messages.at(-1).content).toBe("Say hi");
    await admin.screenshot({ path: join(RESULTS_DIR, "run-finished.png") });
  });

  it("resumes a dropped event stream with Last-Event-ID, without gaps or repeats", async () => {
    const runId = (await h.call("GET", "/v1/runs?limit=1")).body.data[0].id;
    const asked: (string | null)[] = [];
    // The first connection ends after one event, as a dropped connection would.
    await admin.route(`**/v1/runs/${runId}/events`, async (route) => {
      asked.push(route.request().headers()["last-event-id"] ?? null);
      if (asked.length > 1) return route.continue();
      const text = await (await route.fetch()).text();
      const first = /(^|\n)id: [\s\S]*?\n\n/.exec(text)!;
      return route.fulfill({
        status: 200,
        contentType: "text/event-stream",
        body: text.slice(0, first.index + first[0].length),
      });
    });
    await open(admin, `/runs/${runId}`);
    await expect
      .poll(() => admin.getByTestId("stream-state").textContent())
      .toContain("finished — succeeded");
    const seqs = await admin.getByRole("list", { name: "Run events" }).locator(".seq").allTextContents();
    expect(seqs).toEqual(seqs.map((_, i) => `#${i + 1}`));
    expect(asked).toEqual([null, "1"]);
    await admin.unroute(`**/v1/runs/${runId}/events`);
  });

  it("edits the agent through its form, diffs the revisions, pauses and resumes it", async () => {
    await open(admin, "/agents/fetcher");
    // The run of the tests before, in the server's figures for the last hour.
    const runs = admin.getByRole("region", { name: "Last hour" }).locator("dt:text-is('Runs') + dd");
    await expect.poll(() => runs.textContent()).toBe("1");
    await admin.locator("#root_config_steps_0_prompt").fill("Say hello");
    await admin.getByRole("button", { name: "Save agent" }).click();
    const diff = admin.getByRole("list", { name: "Differences" });
    await expect.poll(() => diff.textContent()).toContain('steps.0.prompt "Say hi" → "Say hello"');
    expect((await h.call("GET", "/v1/agents/fetcher")).body.revision).toBe(2);

    await admin.getByRole("button", { name: "Pause" }).click();
    await admin.getByRole("button", { name: "Resume" }).waitFor();
    expect((await h.call("GET", "/v1/agents/fetcher")).body.status).toBe("paused");
    await admin.getByRole("button", { name: "Resume" }).click();
    await admin.getByRole("button", { name: "Pause" }).waitFor();
    await open(admin, "/agents");
    await admin.getByLabel("Status").selectOption("paused");
    await expect.poll(() => admin.getByRole("link", { name: "fetcher" }).count()).toBe(0);
  });

  it("cancels a running run from the run view", async () => {
    const { body } = await h.call("POST", "/v1/agents", { name: "sleepy", template: "echo" });
    expect(body.name).toBe("sleepy");
    await open(admin, "/agents/sleepy");
    await admin.getByLabel("Input (JSON)").fill('{"sleepMs": 60000}');
    await admin.getByRole("button", { name: "Start run" }).click();
    const state = admin.getByTestId("stream-state");
    await expect.poll(() => state.textContent()).toMatch(/live/);
    await admin.getByRole("button", { name: "Cancel run" }).click();
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toContain("finished — cancelled");
    await expect.poll(() => admin.locator(".error code").first().textContent()).toBe("RUN_CANCELLED");
    await open(admin, "/runs");
    await admin.getByLabel("Status").selectOption("cancelled");
    await expect.poll(() => admin.locator("td.status").allTextContents()).toEqual(["cancelled"]);
  });

  it("chats with a conversation agent in the playground: tokens stream, the thread's history survives a reload", async () => {
    const created = await h.call("POST", "/v1/agents", {
      name: "chatty",
      template: "conversation",
      config: { model: "fake-model", baseUrl: h.fake.url, apiKey: { env: "FAKE_KEY" }, maxRetries: 0 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(FAKE_KEY).toBeTruthy();
    const words = Array.from({ length: 24 }, (_, i) => `word${i + 1}`);
    h.fake.setLatency(0, 80);
    h.fake.enqueueReply(words.join(" "));

    await open(admin, "/playground");
    await admin.getByLabel("Agent").selectOption("chatty");
    await admin.getByLabel("Message", { exact: true }).fill("Tell me words");
    await admin.getByRole("button", { name: "Send" }).click();
    // Part of the answer is on screen before the rest has arrived.
    await admin.waitForFunction(() => {
      const text = document.querySelector("[data-testid=streaming]")?.textContent ?? "";
      return text.includes("word1") && !text.includes("word24");
    });
    const conversation = admin.getByRole("list", { name: "Conversation" });
    await expect.poll(() => conversation.textContent(), { timeout: 20_000 }).toContain("word24");
    await expect.poll(() => admin.getByTestId("streaming").count()).toBe(0);
    expect(admin.url()).toMatch(/\/console\/playground\/chatty\/thr_/);

    await admin.reload();
    await expect
      .poll(() => conversation.locator("li").allTextContents())
      .toEqual(["user Tell me words", `assistant ${words.join(" ")}`]);
    h.fake.setLatency(0, 0);
  });

  it("previews an upgrade with the migrated config before applying it", async () => {
    const created = await h.call("POST", "/v1/agents", {
      name: "old-multi",
      template: "multi@1",
      config: { label: "hello" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await open(admin, "/agents/old-multi");
    await admin.getByRole("button", { name: "Preview upgrade" }).click();
    const preview = admin.getByTestId("upgrade-preview");
    await expect.poll(() => preview.textContent()).toMatch(/1\.0\.0 → 2\.0\.0.*migrations applied: 2\.0\.0/);
    expect(JSON.parse((await preview.getByLabel("Migrated config").textContent()) ?? "")).toEqual({
      title: "hello",
    });
    expect((await h.call("GET", "/v1/agents/old-multi")).body.template.version).toBe("1.0.0");
    await admin.getByRole("button", { name: "Confirm upgrade to 2.0.0" }).click();
    await expect.poll(() => admin.getByRole("status").allTextContents()).toContain("Upgraded to 2.0.0.");
    expect((await h.call("GET", "/v1/agents/old-multi")).body).toMatchObject({
      template: { version: "2.0.0" },
      config: { title: "hello" },
    });
  });

  it("creates an API key and shows its secret once", async () => {
    await open(admin, "/api-keys");
    await admin.getByLabel("Name").fill("reader");
    await admin.getByRole("button", { name: "Create key" }).click();
    const secret = (await admin.getByTestId("new-key").textContent()) ?? "";
    expect(secret).toMatch(/^art_/);
    await expect.poll(() => admin.getByRole("table").textContent()).toContain("reader");
    await admin.reload();
    await admin.getByRole("heading", { name: "API keys" }).waitFor();
    expect(await admin.getByTestId("new-key").count()).toBe(0);
    // The key it showed works, with the scope asked for.
    const refused = await h.call("POST", "/v1/agents", { name: "x", template: "echo" }, secret);
    expect(refused.status).toBe(403);
  });

  it("shows a read key no create or edit controls, and the server refuses it anyway", async () => {
    const { body } = await h.call("POST", "/v1/api-keys", { name: "viewer", scopes: ["read"] });
    const { context, page } = await h.newPage();
    await signIn(page, body.key);
    await expect.poll(() => page.getByText("Key: read").count()).toBe(1);
    await open(page, "/agents");
    await page.getByRole("link", { name: "fetcher" }).waitFor();
    expect(await page.getByRole("link", { name: "New agent" }).count()).toBe(0);
    await open(page, "/agents/fetcher");
    await page.getByRole("heading", { name: "Agent fetcher" }).waitFor();
    for (const name of ["Save agent", "Pause", "Preview upgrade", "Start run"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    const status = await page.evaluate(async (key) => {
      const res = await fetch("/v1/agents/fetcher/pause", {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      });
      return res.status;
    }, body.key);
    expect(status).toBe(403);
    await context.close();
  });

  it("lists templates with rejected ones' codes and schemas, schedules and the overview's figures", async () => {
    await open(admin, "/templates");
    const rejected = admin.getByRole("table", { name: "Rejected template packages" });
    await expect.poll(() => rejected.textContent()).toContain("TEMPLATE_INCOMPATIBLE");
    await admin.getByRole("button", { name: "Show schema of echo@1.2.0" }).click();
    await expect
      .poll(() => admin.getByLabel("Config schema of echo@1.2.0").textContent())
      .toContain('"greeting"');

    await open(admin, "/schedules");
    await admin.getByLabel("Agent (name or id)").fill("sleepy");
    await admin.getByLabel("Cron").fill("not a cron");
    await admin.getByRole("button", { name: "Create schedule" }).click();
    await expect
      .poll(() => admin.getByRole("alert").first().textContent())
      .toMatch(/SCHEDULE_INVALID|VALIDATION_FAILED/);
    await admin.getByLabel("Cron").fill("0 3 * * *");
    await admin.getByRole("button", { name: "Create schedule" }).click();
    await expect
      .poll(() => admin.getByRole("table", { name: "Schedules" }).textContent())
      .toContain("0 3 * * *");

    await open(admin, "/");
    await admin
      .getByRole("img", { name: /Runs per minute/ })
      .locator("canvas")
      .first()
      .waitFor();
    await expect
      .poll(() => admin.getByRole("table", { name: "By agent" }).textContent())
      .toContain("fetcher");
  });

  it("has no serious or critical accessibility violations on any page", async () => {
    const runId = (await h.call("GET", "/v1/runs?limit=1")).body.data[0].id;
    const pages: [string, string][] = [
      ["/", "Overview"],
      ["/agents", "Agents"],
      ["/agents/new", "New agent"],
      ["/agents/fetcher", "Agent fetcher"],
      ["/runs", "Runs"],
      [`/runs/${runId}`, `Run ${runId}`],
      ["/playground/chatty", "Playground"],
      ["/templates", "Templates"],
      ["/schedules", "Schedules"],
      ["/api-keys", "API keys"],
    ];
    const found: string[] = [];
    for (const [path, heading] of pages) {
      await open(admin, path);
      await admin.getByRole("heading", { name: heading, exact: true }).waitFor();
      await admin.waitForLoadState("networkidle");
      found.push(...(await seriousViolations(admin)).map((v) => `${path}: ${v}`));
    }
    expect(found).toEqual([]);
  });
});

describe("/docs", () => {
  it("renders the API operations with every address but 127.0.0.1 blocked", async () => {
    const { context, page } = await h.newPage();
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    await page.goto("/docs");
    await page.getByText("Liveness: the process serves HTTP").first().waitFor({ timeout: 30_000 });
    await page.getByText("Agents", { exact: true }).first().click();
    await page.getByText("Create an agent from a template and a config").first().waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, "docs-offline.png") });
    console.log(`/docs asked for ${blocked.length} outside address(es): ${blocked.join(", ") || "none"}`);
    await context.close();
  });
});
