import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentrtError, isAgentrtError } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFileCode } from "./load-file-code.js";

let base: string;
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "agentrt-code-")));
  root = join(base, "root");
  mkdirSync(join(root, "agents"), { recursive: true });
  writeFileSync(join(root, "agents", "hello.js"), "export const main = () => 'hi';");
  writeFileSync(join(root, "big.js"), "x".repeat(2048));
  writeFileSync(join(base, "secret.txt"), "TOP SECRET");
  symlinkSync(join(base, "secret.txt"), join(root, "escape.js"));
  symlinkSync(base, join(root, "outside"));
  symlinkSync(join(root, "agents", "hello.js"), join(root, "inside.js"));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const options = () => ({ codeRoot: root, maxBytes: 1024 });

async function failure(promise: Promise<unknown>): Promise<AgentrtError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentrtError(error)) throw new Error(`expected an AgentrtError, got ${String(error)}`);
  expect(error.issues).toEqual([{ path: ["content"], message: expect.stringMatching(`^${error.code}: `) }]);
  return error;
}

describe("loadFileCode", () => {
  it("reads a file relative to the code root", async () => {
    await expect(loadFileCode("agents/hello.js", options())).resolves.toEqual({
      source: "export const main = () => 'hi';",
      path: join("agents", "hello.js"),
    });
  });

  it("follows symlinks that stay inside the root", async () => {
    const loaded = await loadFileCode("inside.js", options());
    expect(loaded.path).toBe(join("agents", "hello.js"));
  });

  it.each([
    ["../secret.txt", "traversal"],
    ["agents/../../secret.txt", "traversal"],
    ["agents\\..\\..\\secret.txt", "traversal"],
    ["/etc/passwd", "absolute"],
    ["escape.js", "symlink"],
    ["outside/secret.txt", "symlink"],
    ["a\0b", "invalid"],
  ])("refuses %j (%s)", async (path, reason) => {
    const error = await failure(loadFileCode(path, options()));
    expect(error.code).toBe("PATH_NOT_ALLOWED");
    expect(error.details?.reason).toBe(reason);
    expect(error.message).not.toContain("TOP SECRET");
  });

  it("refuses everything when no code root is configured", async () => {
    const error = await failure(loadFileCode("agents/hello.js", { codeRoot: undefined, maxBytes: 1024 }));
    expect(error.details?.reason).toBe("disabled");
  });

  it("reports a missing file clearly", async () => {
    const error = await failure(loadFileCode("agents/nope.js", options()));
    expect(error.code).toBe("CODE_FETCH_FAILED");
    expect(error.message).toContain("file not found");
  });

  it("refuses directories", async () => {
    const error = await failure(loadFileCode("agents", options()));
    expect(error.details?.reason).toBe("not-a-file");
  });

  it("refuses files over the size cap", async () => {
    const error = await failure(loadFileCode("big.js", options()));
    expect(error.details?.reason).toBe("size");
  });
});
