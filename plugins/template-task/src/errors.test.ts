import { AgentrtError, ErrorCode, RunErrorSchema } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { reportedCode, TASK_ERRORS, TaskError, toStepError } from "./errors.js";
import template from "./index.js";

describe("the template's own error codes", () => {
  it("are declared once, with their statuses, and given to defineTemplate", () => {
    expect(TaskError).toEqual({
      STEP_FAILED: "STEP_FAILED",
      STEP_TIMEOUT: "STEP_TIMEOUT",
      URL_NOT_ALLOWED: "URL_NOT_ALLOWED",
    });
    expect(TASK_ERRORS.STEP_FAILED.status).toBe(500);
    expect(TASK_ERRORS.STEP_TIMEOUT.status).toBe(504);
    expect(TASK_ERRORS.URL_NOT_ALLOWED.status).toBe(422);
    expect(template.errors).toBe(TASK_ERRORS);
    expect(reportedCode(TaskError.STEP_TIMEOUT)).toBe("task.STEP_TIMEOUT");
  });
});

describe("toStepError", () => {
  const details = { retryable: true };

  it("namespaces the template's own codes, as clients see them", () => {
    expect(toStepError(new AgentrtError(TaskError.STEP_TIMEOUT, "slow", { details }))).toEqual({
      code: "task.STEP_TIMEOUT",
      message: "slow",
      details,
    });
    expect(toStepError(new AgentrtError(TaskError.STEP_FAILED, "bad"))).toEqual({
      code: "task.STEP_FAILED",
      message: "bad",
    });
  });

  it("keeps host codes and codes another template's agent failed with", () => {
    expect(toStepError(new AgentrtError(ErrorCode.UPSTREAM_ERROR, "503")).code).toBe("UPSTREAM_ERROR");
    expect(toStepError(new AgentrtError("custom.QUOTA_EXCEEDED", "no quota")).code).toBe(
      "custom.QUOTA_EXCEEDED",
    );
  });

  it("fails anything else with task.STEP_FAILED, keeping a stray code in details", () => {
    expect(toStepError(new TypeError("boom"))).toEqual({ code: "task.STEP_FAILED", message: "boom" });
    expect(toStepError("thrown string")).toEqual({ code: "task.STEP_FAILED", message: "thrown string" });
    expect(toStepError(new AgentrtError("QUOTA", "bare", { details }))).toEqual({
      code: "task.STEP_FAILED",
      message: "bare",
      details: { retryable: true, stepCode: "QUOTA" },
    });
  });

  it("always produces an error the host's event contract accepts", () => {
    for (const error of [
      new AgentrtError(TaskError.STEP_FAILED, "a"),
      new AgentrtError("lower.case.mess", "b"),
      new Error("c"),
    ]) {
      expect(RunErrorSchema.safeParse(toStepError(error)).success).toBe(true);
    }
  });
});
