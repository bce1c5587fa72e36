import { Validator } from "@cfworker/json-schema";
import Form from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, ValidatorType } from "@rjsf/utils";
import { fieldErrors } from "./problem.js";

/**
 * rjsf needs a validator to pick `oneOf`/`anyOf` branches. @cfworker/json-schema interprets the
 * schema instead of compiling it (Ajv compiles with `new Function`, which the console's CSP
 * forbids). Whole-form validation is the server's: its 422 field errors are shown on the fields.
 */
const validator: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid(schema, data, root) {
    const withDefs = { ...(schema as object), $defs: root.$defs, definitions: root.definitions };
    return new Validator(withDefs as never, "2020-12", false).validate(data).valid;
  },
  rawValidation: () => ({ errors: [] }),
};

/** The problem's field errors as rjsf's error schema, keyed by the server's field paths. */
export function errorSchemaOf(error: unknown): ErrorSchema {
  const schema: Record<string, unknown> = {};
  for (const [path, messages] of Object.entries(fieldErrors(error))) {
    let node = schema;
    for (const part of path ? path.split(".") : []) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node.__errors = messages;
  }
  return schema as ErrorSchema;
}

type Json = Record<string, unknown>;

/**
 * Names untitled `oneOf`/`anyOf` branches by their `const` discriminator (`kind: "http"` → "http"),
 * so the form's branch picker reads "http, llm, wait" instead of "Option 1, 2, 3".
 */
export function titleBranches(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(titleBranches);
  if (!schema || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = titleBranches(v);
  for (const key of ["oneOf", "anyOf"]) {
    const branches = out[key];
    if (!Array.isArray(branches)) continue;
    out[key] = branches.map((b: Json) => {
      const props = (b?.properties ?? {}) as Record<string, Json>;
      const consts = Object.values(props).filter((p) => p && "const" in p);
      return b && !b.title && consts.length === 1 ? { ...b, title: String(consts[0]!.const) } : b;
    });
  }
  return out;
}

/**
 * The agent form: name and description around the template version's config schema, one form so
 * the server's error paths (`name`, `config.steps.0.id`) address its fields directly. The config
 * schema's `$defs` move to the root, where its `#/$defs/...` references point.
 */
export function agentFormSchema(configSchema: Record<string, unknown>, editing: boolean): RJSFSchema {
  const { $defs, definitions, $schema: _, ...config } = titleBranches(configSchema) as Json;
  return {
    type: "object",
    required: editing ? [] : ["name"],
    properties: {
      name: { type: "string", title: "Name", description: "Letters, digits, . _ - (at most 64)" },
      description: { type: "string", title: "Description" },
      config: { ...config, title: "Config" },
    },
    ...($defs ? { $defs } : {}),
    ...(definitions ? { definitions } : {}),
  } as RJSFSchema;
}

export interface AgentFormValue {
  name?: string;
  description?: string;
  config?: Record<string, unknown>;
}

export function AgentForm(props: {
  schema: RJSFSchema;
  value: AgentFormValue;
  error: unknown;
  submitLabel: string;
  disabled?: boolean;
  onChange: (value: AgentFormValue) => void;
  onSubmit: (value: AgentFormValue) => void;
}) {
  return (
    <Form
      schema={props.schema}
      validator={validator}
      formData={props.value}
      noValidate
      showErrorList={false}
      extraErrors={errorSchemaOf(props.error)}
      disabled={props.disabled ?? false}
      uiSchema={{
        description: { "ui:widget": "textarea" },
        "ui:submitButtonOptions": { submitText: props.submitLabel },
      }}
      onChange={(e) => props.onChange(e.formData as AgentFormValue)}
      onSubmit={(e) => props.onSubmit(e.formData as AgentFormValue)}
    />
  );
}
