import type { Logger, RunContext, ValidateContext } from "@agentrt/core";

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string }[];
}

export function createRecordingLogger(): RecordingLogger {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
}

/** The context a host hands to `validate`/`create`, with the operator settings under test. */
export function createValidateContext(settings: Record<string, unknown> = {}): ValidateContext & {
  logger: RecordingLogger;
} {
  return { env: {}, logger: createRecordingLogger(), settings, services: {}, phase: "create" };
}

export function createRunContext(signal: AbortSignal = new AbortController().signal): RunContext {
  return {
    runId: "run_test",
    agentId: "agt_test",
    agentName: "test",
    threadId: undefined,
    signal,
    logger: createRecordingLogger(),
    invokeAgent: async () => {
      throw new Error("not used by the custom template");
    },
  };
}
