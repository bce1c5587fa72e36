import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCUMENT_FILE, servedDocument, TYPES_FILE, typesOf } from "../scripts/codegen.ts";

describe("generated client types", () => {
  it("match the document the built server serves (run `pnpm --filter @agentrt/client generate` if not)", async () => {
    const served = await servedDocument();
    expect(readFileSync(DOCUMENT_FILE, "utf8"), "openapi.json is stale").toBe(served);
    expect(readFileSync(TYPES_FILE, "utf8"), "src/generated/openapi.ts is stale").toBe(await typesOf(served));
  });

  it("notice a changed document", async () => {
    const served = JSON.parse(await servedDocument());
    served.paths["/v1/agents"].get.parameters.push({
      name: "extra",
      in: "query",
      schema: { type: "string" },
    });
    expect(await typesOf(JSON.stringify(served))).not.toBe(readFileSync(TYPES_FILE, "utf8"));
  });
});
