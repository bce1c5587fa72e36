import fc from "fast-check";

/** The part of a JSON Schema (as /openapi.json writes it) the request generator reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, unknown>;
}

/** Text that is safe in a URL path segment, a query value or a header value once encoded. */
const text = (maxLength: number) => fc.string({ unit: "grapheme-ascii", maxLength });

/**
 * Values mostly valid for `schema` and sometimes not (a wrong type, a string past its bounds), so
 * the server is driven both into its handlers and into every refusal path.
 */
export function valueFor(schema: JsonSchema | undefined, doc: OpenApiDoc, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.integer(), text(8), fc.boolean());
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return valueFor(doc.components?.schemas?.[name], doc, depth + 1);
  }
  if (schema.const !== undefined) return fc.oneof(fc.constant(schema.const), wrong);
  if (schema.enum) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, wrong);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => valueFor(choice, doc, depth + 1)));
  if (schema.allOf?.[0]) return valueFor(schema.allOf[0], doc, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string": {
      const max = schema.maxLength ?? 40;
      return fc.oneof(
        { weight: 4, arbitrary: text(Math.min(max, 40)).filter((s) => s.length >= (schema.minLength ?? 0)) },
        { weight: 1, arbitrary: fc.string({ minLength: max + 1, maxLength: max + 20 }) },
        { weight: 1, arbitrary: wrong },
      );
    }
    case "integer":
    case "number": {
      const bounded = fc.integer({
        min: Math.max(schema.minimum ?? -1000, -1_000_000),
        max: Math.min(schema.maximum ?? 1000, 1_000_000),
      });
      return fc.oneof({ weight: 4, arbitrary: bounded }, fc.integer(), fc.double(), wrong);
    }
    case "boolean":
      return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, wrong);
    case "null":
      return fc.constant(null);
    case "array":
      return fc.oneof(
        { weight: 4, arbitrary: fc.array(valueFor(schema.items, doc, depth + 1), { maxLength: 3 }) },
        wrong,
      );
    case "object": {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = valueFor(property, doc, depth + 1);
      const object = fc.record(record, {
        requiredKeys: [...required].filter((name) => name in properties),
      });
      return fc.oneof({ weight: 5, arbitrary: object }, fc.jsonValue({ maxDepth: 2 }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A parameter as the wire carries it: text, or absent. */
export function parameterFor(
  parameter: Parameter,
  doc: OpenApiDoc,
  known: readonly string[],
): fc.Arbitrary<string | undefined> {
  const asText = valueFor(parameter.schema, doc).map((value) =>
    value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value),
  );
  const values: fc.Arbitrary<string | undefined>[] = [asText];
  if (known.length > 0) values.push(fc.constantFrom(...known));
  if (parameter.in === "path") {
    // Path ids past the documented length, and values that are no id at all.
    values.push(fc.string({ unit: "grapheme-ascii", minLength: 101, maxLength: 160 }));
    // "." and ".." are URL syntax, not ids: the client resolves them away before sending.
    return fc
      .oneof(...values)
      .filter(
        (value): value is string => value !== undefined && value !== "" && value !== "." && value !== "..",
      );
  }
  if (!parameter.required) values.push(fc.constant(undefined));
  return fc.oneof(...values);
}
