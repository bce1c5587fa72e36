import { readFileSync } from "node:fs";
import { isTemplate } from "@agentrt/core";
import { entryImports, loadTemplatePackage } from "@agentrt/testing";
import { expect, it } from "vitest";

const packageDir = new URL("..", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  agentrt: { coreApi: string };
  peerDependencies: Record<string, string>;
};

// Loads the built package the way a server finds a third party's template (run `build` first).
it("is discovered from its package.json and dist like a third-party template", async () => {
  const template = await loadTemplatePackage(packageDir);
  expect(isTemplate(template)).toBe(true);
  expect(template.name).toBe("conversation");
  // The version comes from package.json, not from the definition.
  expect(template.version).toBe(manifest.version);
  // 2.1: the agent directory describes agents (an agent tool's parameters).
  expect(manifest.agentrt.coreApi).toBe("^2.1.0");
  expect(manifest.peerDependencies["@agentrt/core"]).toBe("^2.1.0");
  expect(template.services).toEqual({
    checkpointer: expect.objectContaining({ id: "agentrt.checkpointer", optional: false }),
    secrets: expect.objectContaining({ id: "agentrt.secrets", optional: true }),
    agents: expect.objectContaining({ id: "agentrt.agents", optional: true }),
  });
  expect(typeof template.chat?.toInput).toBe("function");
  expect(typeof template.threads?.messages).toBe("function");
});

// Discovery imports every template at server start; LangChain (hundreds of ms) waits for create().
// The chat and threads capabilities are part of the entry, so they must not need LangChain either.
// `@agentrt/egress` (no dependencies of its own) validates the operator's allow-list in the settings.
it("imports only core, egress and zod (no LangChain) when the entry module is loaded", () => {
  const packages = new Set(
    entryImports(new URL("../dist/", import.meta.url)).filter((specifier) => !specifier.startsWith("./")),
  );
  expect([...packages].sort()).toEqual(["@agentrt/core", "@agentrt/egress", "zod"]);
});
