import { describe, expect, it } from "vitest";
import { agentFormSchema, errorSchemaOf, titleBranches } from "./config-form.js";
import { ApiError } from "./problem.js";

describe("the agent form's schema", () => {
  it("names oneOf branches by their const and marks the discriminator", () => {
    const schema = titleBranches({
      oneOf: [
        { type: "object", properties: { kind: { const: "http" }, url: { type: "string" } } },
        { type: "object", title: "Wait a bit", properties: { kind: { const: "wait" } } },
      ],
    }) as { oneOf: { title: string }[]; discriminator: unknown };
    expect(schema.oneOf.map((b) => b.title)).toEqual(["http", "Wait a bit"]);
    expect(schema.discriminator).toEqual({ propertyName: "kind" });
  });

  it("puts the config under `config` with its $defs at the root, where its references point", () => {
    const form = agentFormSchema(
      {
        $schema: "x",
        type: "object",
        properties: { a: { $ref: "#/$defs/A" } },
        $defs: { A: { type: "string" } },
      },
      false,
    );
    expect(form.required).toEqual(["name"]);
    expect(form.$defs).toEqual({ A: { type: "string" } });
    expect(form.properties?.config).toMatchObject({
      title: "Config",
      properties: { a: { $ref: "#/$defs/A" } },
    });
    expect(agentFormSchema({}, true).required).toEqual([]);
  });

  it("turns the server's field errors into rjsf's error schema by path", () => {
    const error = new ApiError({
      code: "CONFIG_INVALID",
      errors: [
        { path: ["config", "steps", 0, "id"], message: "must be a slug" },
        { path: ["name"], message: "taken" },
        { path: ["name"], message: "too long" },
      ],
    } as never);
    expect(errorSchemaOf(error)).toEqual({
      config: { steps: { 0: { id: { __errors: ["must be a slug"] } } } },
      name: { __errors: ["taken", "too long"] },
    });
    expect(errorSchemaOf(new Error("network"))).toEqual({});
  });
});
