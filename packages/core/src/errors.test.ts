import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AgentrtError,
  AnyErrorCodeSchema,
  ErrorCode,
  errorCodes,
  isAgentrtError,
  isErrorCode,
  toErrorInfo,
  toFieldIssues,
} from "./errors.js";

describe("AgentrtError", () => {
  it("is recognised by brand, also when built by another copy of core", () => {
    const foreign = Object.assign(new Error("x"), { $$type: "@agentrt/error", code: "AGENT_NOT_FOUND" });
    expect(isAgentrtError(foreign)).toBe(true);
    expect(isAgentrtError(new Error("x"))).toBe(false);
    expect(isAgentrtError(null)).toBe(false);
  });

  it("serialises code, message, issues and details", () => {
    const error = new AgentrtError(ErrorCode.CONFIG_INVALID, "bad", {
      issues: [{ path: ["a", 0], message: "m" }],
      details: { x: 1 },
      cause: new Error("inner"),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: "CONFIG_INVALID",
      message: "bad",
      issues: [{ path: ["a", 0], message: "m" }],
      details: { x: 1 },
    });
    expect((error.cause as Error).message).toBe("inner");
    expect(new AgentrtError(ErrorCode.INTERNAL, "plain").toJSON()).toEqual({
      code: "INTERNAL",
      message: "plain",
    });
  });

  it("maps anything thrown to a code and message", () => {
    expect(toErrorInfo(new AgentrtError("TIMEOUT", "slow"))).toEqual({ code: "TIMEOUT", message: "slow" });
    expect(toErrorInfo(Object.assign(new Error("m"), { code: "UPSTREAM_ERROR" }))).toEqual({
      code: "UPSTREAM_ERROR",
      message: "m",
    });
    expect(
      toErrorInfo(
        Object.assign(new Error("m"), { code: "MEMORY_LIMIT" }),
        "RUN_FAILED",
        (c) => c === "MEMORY_LIMIT",
      ),
    ).toEqual({ code: "MEMORY_LIMIT", message: "m" });
    expect(toErrorInfo(Object.assign(new Error("m"), { code: "ECONNRESET" }))).toEqual({
      code: "RUN_FAILED",
      message: "m",
    });
    expect(toErrorInfo("boom", ErrorCode.UPSTREAM_ERROR)).toEqual({
      code: "UPSTREAM_ERROR",
      message: "boom",
    });
  });

  it("keeps small details and drops oversized or unserialisable ones", () => {
    const stack = { stack: "Error: boom\n    at main (user.js:3:9)" };
    expect(toErrorInfo(new AgentrtError("USER_CODE_ERROR", "boom", { details: stack }))).toEqual({
      code: "USER_CODE_ERROR",
      message: "boom",
      details: stack,
    });
    const huge = { stack: "x".repeat(20_000) };
    expect(toErrorInfo(new AgentrtError("USER_CODE_ERROR", "boom", { details: huge }))).not.toHaveProperty(
      "details",
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toErrorInfo(new AgentrtError("USER_CODE_ERROR", "boom", { details: cyclic }))).not.toHaveProperty(
      "details",
    );
  });

  it("lists a template's declared codes and accepts namespaced codes in documents", () => {
    const codes = errorCodes({ STEP_FAILED: { status: 500 }, STEP_TIMEOUT: { status: 504 } });
    expect(codes).toEqual({ STEP_FAILED: "STEP_FAILED", STEP_TIMEOUT: "STEP_TIMEOUT" });
    expect(AnyErrorCodeSchema.safeParse("task.STEP_FAILED").success).toBe(true);
    expect(AnyErrorCodeSchema.safeParse("AGENT_NOT_FOUND").success).toBe(true);
    expect(AnyErrorCodeSchema.safeParse("STEP_FAILED").success).toBe(false);
    expect(AnyErrorCodeSchema.safeParse("Task.step").success).toBe(false);
  });

  it("maps zod issues to field issues under a prefix", () => {
    const result = z.object({ steps: z.array(z.object({ id: z.string() })) }).safeParse({ steps: [{}] });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(toFieldIssues(result.error, ["config"])).toEqual([
        { path: ["config", "steps", 0, "id"], message: expect.any(String) },
      ]);
    }
  });

  it("knows its codes", () => {
    expect(isErrorCode("TEMPLATE_INCOMPATIBLE")).toBe(true);
    expect(isErrorCode("NOPE")).toBe(false);
    for (const [key, value] of Object.entries(ErrorCode)) expect(key).toBe(value);
  });
});
