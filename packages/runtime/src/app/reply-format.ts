import { createRequire } from "node:module";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { Ajv, ValidateFunction } from "ajv";

/** OpenAI's `response_format`, as far as the host checks it. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema?: Record<string, unknown> } };

let ajv: Ajv | undefined;

/** Ajv loads on the first `json_schema` request: most servers never see one, so start-up skips it. */
function getAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
    ajv = new AjvClass({ allErrors: false, strict: false });
  }
  return ajv;
}

/** Compiled schemas by their JSON: callers send the same schema on every request. */
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 100;

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = getAjv().compile(schema);
    } catch (error) {
      throw new AgentrtError(
        ErrorCode.VALIDATION_FAILED,
        `response_format.json_schema.schema is not a valid JSON Schema: ${(error as Error).message}`,
        {
          issues: [{ path: ["response_format", "json_schema", "schema"], message: (error as Error).message }],
        },
      );
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** Compiles the requested schema up front, so a bad one is a 400 before any run starts. */
export function prepareReplyFormat(format: ResponseFormat | undefined): (text: string) => string {
  if (!format || format.type === "text") return (text) => text;
  const validate =
    format.type === "json_schema" && format.json_schema.schema
      ? validatorFor(format.json_schema.schema)
      : undefined;
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw mismatch(`the agent's reply is not JSON, but response_format ${format.type} asks for it`);
    }
    if (
      format.type === "json_object" &&
      (typeof value !== "object" || value === null || Array.isArray(value))
    )
      throw mismatch("the agent's reply is JSON but not an object, as response_format json_object asks");
    if (validate && !validate(value)) {
      const first = validate.errors?.[0];
      throw mismatch(
        `the agent's reply does not match the response_format schema "${(format as { json_schema: { name: string } }).json_schema.name}": ${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`,
      );
    }
    return text;
  };
}

function mismatch(message: string): AgentrtError {
  return new AgentrtError(ErrorCode.OUTPUT_FORMAT_MISMATCH, message);
}
