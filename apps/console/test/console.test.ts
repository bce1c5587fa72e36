import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, type Harness, RESULTS_DIR, seriousViolations, signIn, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

/** Messages the browser logged about refused content (CSP) or failed scripts. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
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
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
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
    await signIn(page, ADMIN_KEY);
    expect(page.url()).not.toContain(ADMIN_KEY);
    expect(await page.evaluate(() => sessionStorage.getItem("agentrt.apiKey"))).toBe(ADMIN_KEY);
    await page.reload();
    await page.getByRole("navigation", { name: "Console" }).waitFor();
    await context.close();
  });
});
