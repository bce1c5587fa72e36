// Writes openapi.json and src/generated/openapi.ts from the built server. With CI set it only
// checks them, so a CI build fails on an API change whose client was not regenerated and committed.
import { readFileSync, writeFileSync } from "node:fs";
import { DOCUMENT_FILE, servedDocument, TYPES_FILE, typesOf } from "./codegen.ts";

const document = await servedDocument();
const types = await typesOf(document);
const read = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};
const stale = [
  [DOCUMENT_FILE, document],
  [TYPES_FILE, types],
].filter(([file, text]) => read(file as string) !== text);

if (process.env.CI) {
  if (stale.length) {
    console.error(
      `@agentrt/client is out of date with the server's API (${stale.map(([f]) => f).join(", ")}).\n` +
        "Run `pnpm --filter @agentrt/client generate` and commit the result.",
    );
    process.exit(1);
  }
} else {
  for (const [file, text] of stale) writeFileSync(file as string, text as string);
  console.log(stale.length ? `regenerated ${stale.length} file(s)` : "client types up to date");
}
