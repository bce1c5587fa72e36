import { AgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { createCodeError, toConfigIssues } from "./code-error.js";

describe("createCodeError", () => {
  it("carries a content issue prefixed with its code", () => {
    const error = createCodeError("URL_NOT_ALLOWED", "nope", { reason: "host" });
    expect(error.code).toBe("URL_NOT_ALLOWED");
    expect(error.issues).toEqual([{ path: ["content"], message: "URL_NOT_ALLOWED: nope" }]);
    expect(error.details).toEqual({ reason: "host", code: "URL_NOT_ALLOWED" });
  });
});

describe("toConfigIssues", () => {
  it("prefixes compiler issues with their code and keeps their paths", () => {
    const error = new AgentrtError("CODE_COMPILE_ERROR", "code does not compile", {
      issues: [{ path: ["content"], message: "line 2, column 5: Unexpected }" }],
    });
    expect(toConfigIssues(error)).toEqual([
      { path: ["content"], message: "CODE_COMPILE_ERROR: line 2, column 5: Unexpected }" },
    ]);
  });

  it("places issue-less errors by code", () => {
    expect(toConfigIssues(new AgentrtError("DEPENDENCY_NOT_ALLOWED", "lodash"))).toEqual([
      { path: ["dependencies"], message: "DEPENDENCY_NOT_ALLOWED: lodash" },
    ]);
    expect(toConfigIssues(new AgentrtError("ENTRYPOINT_NOT_FOUND", "no main"))[0]!.path).toEqual([
      "entryPoint",
    ]);
    expect(toConfigIssues(new AgentrtError("CODE_FETCH_FAILED", "404"))[0]!.path).toEqual(["content"]);
  });

  it("does not double the prefix", () => {
    const error = createCodeError("PATH_NOT_ALLOWED", "escape");
    expect(toConfigIssues(error)).toEqual(error.issues);
  });

  it("rethrows errors that are not about the config", () => {
    expect(() => toConfigIssues(new Error("disk on fire"))).toThrow("disk on fire");
    expect(() => toConfigIssues(new AgentrtError("SANDBOX_CRASHED", "gone"))).toThrow("gone");
  });
});
