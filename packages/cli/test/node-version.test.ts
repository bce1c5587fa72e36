import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeVersionProblem } from "../src/node-version.js";
import { cliDir } from "./workspace-deps.js";

const bin = join(cliDir, "dist", "bin.js");

/** The system Node when it is older than 24 (it is on CI images and this repo's machines). */
function olderSystemNode(): string | undefined {
  const node = "/usr/bin/node";
  if (!existsSync(node)) return undefined;
  const major = spawnSync(node, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" });
  return Number(major.stdout.trim()) < 24 ? node : undefined;
}
const oldNode = olderSystemNode();

describe("Node.js version check", () => {
  it("accepts Node 24 and newer, and explains what to do on older ones", () => {
    expect(nodeVersionProblem("v24.0.0", "/n")).toBeUndefined();
    expect(nodeVersionProblem("v25.1.0", "/n")).toBeUndefined();
    expect(nodeVersionProblem("v20.20.2", "/usr/bin/node")).toContain(
      "agentrt needs Node.js 24 or newer, but this is Node.js v20.20.2 (/usr/bin/node).",
    );
    const ok = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
  });

  // Skipped only where no Node older than 24 is installed: there is nothing to run the bin with.
  it.skipIf(!oldNode)("the built bin refuses an older Node before loading anything else", () => {
    const refused = spawnSync(oldNode!, [bin, "--version"], { encoding: "utf8" });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("agentrt needs Node.js 24 or newer");
  });
});
