import type { Logger } from "@agentrt/core";
import { currentLogFields } from "@agentrt/runtime";
import { trace } from "@opentelemetry/api";
import { type DestinationStream, type LoggerOptions, pino } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/**
 * Where secrets can sit in what agentrt logs: credentials of requests, agent configs (provider keys,
 * step headers), webhook and env settings. pino's redaction takes paths, not patterns, so each
 * place a secret can appear is listed; `*` matches one level.
 */
export const REDACTED_PATHS = [
  "apiKey",
  "*.apiKey",
  "*.*.apiKey",
  "key",
  "*.key",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "Authorization",
  "*.Authorization",
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.Authorization",
  "*.headers.cookie",
  // Request headers agent configs write out: task steps' and conversation http tools'.
  "config.steps[*].headers.authorization",
  "config.steps[*].headers.Authorization",
  'config.steps[*].headers["x-api-key"]',
  "config.tools[*].headers.authorization",
  "config.tools[*].headers.Authorization",
  'config.tools[*].headers["x-api-key"]',
  "env",
  "*.env",
];

/** Fields on every line: the current request/run ids and, when tracing is on, the trace. */
function contextFields(): Record<string, string> {
  const fields = currentLogFields();
  const span = trace.getActiveSpan()?.spanContext();
  if (!span) return fields ? { ...fields } : {};
  return { ...fields, traceId: span.traceId, spanId: span.spanId };
}

export interface LoggerSetup {
  level: LogLevel;
  /** Default: stderr, synchronously (stdout carries the banner and is for humans). */
  destination?: DestinationStream;
}

/** pino's options for agentrt: level names as strings, ISO time, redaction, context fields. */
function options(level: LogLevel): LoggerOptions {
  return {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    mixin: contextFields,
  };
}

/** The host's logger: one JSON object per line (pino), as the `Logger` templates and the runtime see. */
export function createLogger({ level, destination }: LoggerSetup): Logger {
  const log = pino(options(level), destination ?? pino.destination({ fd: 2, sync: true }));
  const at =
    (name: Exclude<LogLevel, "silent">) =>
    (message: string, data?: Record<string, unknown>): void => {
      if (data) log[name](data, message);
      else log[name](message);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Human-readable lines for a terminal (`agentrt dev`); pino-pretty loads only here. */
export async function createPrettyLogger(level: LogLevel): Promise<Logger> {
  const { default: pretty } = await import("pino-pretty");
  return createLogger({ level, destination: pretty({ destination: 2, sync: true, colorize: true }) });
}
