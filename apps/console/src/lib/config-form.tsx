import { Validator } from "@cfworker/json-schema";
import Form, { getDefaultRegistry } from "@rjsf/core";
import type { ErrorSchema, RJSFSchema, ValidatorType, WidgetProps } from "@rjsf/utils";
import type { ComponentType } from "react";
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

const DefaultSelect = getDefaultRegistry().widgets.SelectWidget as ComponentType<WidgetProps>;

/** rjsf's select, plus a label for the `oneOf`/`anyOf` branch picker, which it renders without one. */
function SelectWidget(props: WidgetProps) {
  if (!/__(one|any)of_select$/.test(props.name)) return <DefaultSelect {...props} />;
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the <select> DefaultSelect renders
    <label className="branch">
      <span className="sr-only">{props.label} type</span>
      <DefaultSelect {...props} />
    </label>
  );
}

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

const constKeys = (branch: Json): string[] =>
  Object.entries((branch?.properties ?? {}) as Record<string, Json>)
    .filter(([, p]) => p && "const" in p)
    .map(([k]) => k);

/**
 * Names untitled `oneOf`/`anyOf` branches by their `const` discriminator (`kind: "http"` → "http"),
 * so the form's branch picker reads "http, llm, wait" instead of "Option 1, 2, 3", and marks that
 * property as the `discriminator`, which rjsf uses to keep the picked branch while fields are empty.
 */
export function titleBranches(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(titleBranches);
  if (!schema || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = titleBranches(v);
  for (const key of ["oneOf", "anyOf"]) {
    const branches = out[key];
    if (!Array.isArray(branches)) continue;
    const keys = branches.map((b: Json) => constKeys(b));
    out[key] = branches.map((b: Json, i) => {
      const [only] = keys[i]!;
      const props = (b?.properties ?? {}) as Record<string, Json>;
      return b && !b.title && keys[i]!.length === 1 ? { ...b, title: String(props[only!]!.const) } : b;
    });
    const shared = keys[0]?.find((k) => keys.every((ks) => ks.includes(k)));
    if (shared && !out.discriminator) out.discriminator = { propertyName: shared };
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
      noHtml5Validate
      showErrorList={false}
      widgets={{ SelectWidget }}
      // Optional objects stay absent until filled in, instead of arriving half-empty at the server.
      experimental_defaultFormStateBehavior={{ emptyObjectFields: "populateRequiredDefaults" }}
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
