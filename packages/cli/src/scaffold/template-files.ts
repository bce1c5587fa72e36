import { TEMPLATE_KEYWORD } from "@agentrt/core";
import type { TemplateNames } from "./template-name.js";
import { type ScaffoldVersions, TOOL_VERSIONS } from "./versions.js";

/**
 * What the example agent is checked with, by its own conformance test and (from package.json's
 * `agentrt.conformance`) by `agentrt templates validate`: the same inputs, so the same checks.
 */
const CONFORMANCE = {
  config: {},
  expectedDefaults: { greeting: "Hello", uppercase: false },
  invalidConfigs: [
    { config: { greeting: "" }, path: ["greeting"] },
    { config: { uppercase: "yes" }, path: ["uppercase"] },
  ],
  input: { text: "world" },
  slowInput: { text: "world", delayMs: 60_000 },
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const lines = (...text: string[]) => `${text.join("\n")}\n`;

function packageJson(names: TemplateNames, versions: ScaffoldVersions) {
  return {
    name: names.packageName,
    version: "0.1.0",
    description: `agentrt template: ${names.templateName}`,
    keywords: [TEMPLATE_KEYWORD, "agentrt"],
    license: "MIT",
    type: "module",
    engines: { node: ">=24" },
    exports: {
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    files: ["dist", "README.md"],
    agentrt: { template: "./dist/index.js", coreApi: versions.coreApi, conformance: CONFORMANCE },
    // The conformance test loads the package like the server does, from its build: build first.
    scripts: { build: "tsup", test: "tsup && vitest run", typecheck: "tsc --noEmit", prepublishOnly: "tsup" },
    dependencies: { zod: TOOL_VERSIONS.zod },
    peerDependencies: { "@agentrt/core": versions.core },
    devDependencies: {
      "@agentrt/core": versions.core,
      "@agentrt/testing": versions.testing,
      "@types/node": TOOL_VERSIONS["@types/node"],
      tsup: TOOL_VERSIONS.tsup,
      typescript: TOOL_VERSIONS.typescript,
      vitest: TOOL_VERSIONS.vitest,
    },
  };
}

const tsconfig = {
  compilerOptions: {
    target: "ES2023",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023"],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    declaration: true,
    noEmit: true,
  },
  include: ["src", "test"],
};

const tsupConfig = lines(
  'import { defineConfig } from "tsup";',
  "",
  "export default defineConfig({",
  '  entry: ["src/index.ts"],',
  '  format: ["esm"],',
  "  dts: true,",
  "  clean: true,",
  "  sourcemap: true,",
  '  target: "node24",',
  "});",
);

const schemaSource = lines(
  'import { z } from "zod";',
  "",
  "/** The agent config: validated (with defaults) when an agent is created, and served as JSON Schema. */",
  "export const ConfigSchema = z.object({",
  '  greeting: z.string().min(1).max(100).default("Hello").describe("Word the reply starts with"),',
  '  uppercase: z.boolean().default(false).describe("Shout the reply"),',
  "});",
  "export type Config = z.output<typeof ConfigSchema>;",
  "",
  "/** What one run gets. */",
  "export const InputSchema = z.object({",
  '  text: z.string().min(1).describe("Who or what to greet"),',
  "  delayMs: z",
  "    .number()",
  "    .int()",
  "    .min(0)",
  "    .max(60_000)",
  "    .default(0)",
  '    .describe("Pause before each streamed word (shows how a run honours cancellation)"),',
  "});",
  "export type Input = z.output<typeof InputSchema>;",
);

const agentSource = lines(
  'import type { AgentInstance, RunContext, TemplateEvent } from "@agentrt/core";',
  'import type { Config, Input } from "./schema.js";',
  "",
  "/** Waits, but gives up as soon as the run is cancelled (the signal fires on cancel and timeout). */",
  "function sleep(ms: number, signal: AbortSignal): Promise<void> {",
  "  return new Promise((resolve, reject) => {",
  "    if (signal.aborted) return reject(signal.reason);",
  "    const onAbort = () => {",
  "      clearTimeout(timer);",
  "      reject(signal.reason);",
  "    };",
  "    const timer = setTimeout(() => {",
  '      signal.removeEventListener("abort", onAbort);',
  "      resolve();",
  "    }, ms);",
  '    signal.addEventListener("abort", onAbort, { once: true });',
  "  });",
  "}",
  "",
  "/** An agent instance: made once per agent config and shared by its runs. */",
  "export function createAgent(config: Config): AgentInstance {",
  "  return {",
  "    async *run(input: unknown, ctx: RunContext): AsyncIterable<TemplateEvent> {",
  "      // The host has already validated the input against InputSchema.",
  "      const { text, delayMs } = input as Input;",
  '      const reply = config.greeting + ", " + text + "!";',
  '      const words = (config.uppercase ? reply.toUpperCase() : reply).split(" ");',
  "      for (const [i, word] of words.entries()) {",
  "        if (delayMs > 0) await sleep(delayMs, ctx.signal);",
  '        yield { type: "output.delta", text: i === 0 ? word : " " + word };',
  "      }",
  '      yield { type: "output", output: words.join(" ") };',
  "    },",
  "    dispose() {",
  "      // Release connections, timers or caches the instance holds; nothing to do here.",
  "    },",
  "  };",
  "}",
);

function indexSource(names: TemplateNames): string {
  return lines(
    'import { defineTemplate } from "@agentrt/core";',
    'import { createAgent } from "./agent.js";',
    'import { ConfigSchema, InputSchema } from "./schema.js";',
    "",
    'export type { Config, Input } from "./schema.js";',
    "",
    "// The server reads this template's version and the core API it supports (`version` and",
    "// `agentrt.coreApi`) from package.json; they are not repeated here.",
    "export default defineTemplate({",
    `  name: ${JSON.stringify(names.templateName)},`,
    '  description: "Greets the input, streaming the reply word by word",',
    "  configSchema: ConfigSchema,",
    "  inputSchema: InputSchema,",
    "  // Its own error codes, each with the HTTP status it maps to: throw",
    `  // \`new AgentrtError("GREETING_REFUSED", …)\` and clients see \`${names.templateName}.GREETING_REFUSED\`.`,
    '  // errors: { GREETING_REFUSED: { status: 422, description: "the greeting was refused" } },',
    "  // Host services it uses (refs from @agentrt/core), handed over typed as `ctx.services`; a server",
    "  // that lacks a required one refuses the template:",
    "  // services: { secrets: optionalService(coreServices.secrets) },",
    "  create: (config) => createAgent(config),",
    "});",
  );
}

const conformanceTest = lines(
  'import { testTemplateConformance } from "@agentrt/testing";',
  "",
  "// The checks every agentrt template must pass, the list `agentrt templates validate` runs too: the",
  "// package loads as the server loads it (package.json, then the built entry), then its metadata,",
  "// config schema, runs, cancellation and dispose.",
  'testTemplateConformance(new URL("..", import.meta.url), {',
  "  config: {},",
  '  expectedDefaults: { greeting: "Hello", uppercase: false },',
  "  invalidConfigs: [",
  '    { config: { greeting: "" }, path: ["greeting"] },',
  '    { config: { uppercase: "yes" }, path: ["uppercase"] },',
  "  ],",
  '  input: { text: "world" },',
  '  slowInput: { text: "world", delayMs: 60_000 },',
  "});",
);

function readme(names: TemplateNames): string {
  return lines(
    `# ${names.packageName}`,
    "",
    `An [agentrt](https://github.com/agentrt/agentrt) template: \`${names.templateName}\` greets its input and`,
    "streams the reply word by word.",
    "",
    "## Install",
    "",
    "```sh",
    `agentrt templates add ${names.packageName}   # or: pnpm add ${names.packageName}`,
    "```",
    "",
    "The agentrt server discovers it from the host app's `package.json` dependencies.",
    "",
    "## Config",
    "",
    "| field | type | default | meaning |",
    "| --- | --- | --- | --- |",
    '| `greeting` | string | `"Hello"` | word the reply starts with |',
    "| `uppercase` | boolean | `false` | shout the reply |",
    "",
    'Run input: `{ "text": "world", "delayMs": 0 }`.',
    "",
    "```sh",
    "curl -X POST $AGENTRT_URL/v1/agents -H \"authorization: Bearer $KEY\" -H 'content-type: application/json' \\",
    `  -d '{"name":"greeter","template":"${names.templateName}","config":{"greeting":"Hi"}}'`,
    "```",
    "",
    "## Develop",
    "",
    "```sh",
    "pnpm install",
    "pnpm build       # tsup: dist/index.js + .d.ts",
    "pnpm test        # builds, then the agentrt conformance checks (@agentrt/testing) on the build",
    "agentrt dev --watch .   # a local server that reloads this template on every change",
    "agentrt templates validate .",
    "```",
    "",
    "`package.json` declares the template to agentrt: the `agentrt-template` keyword, `agentrt.template`",
    "(the built entry), `agentrt.coreApi` (the @agentrt/core API versions it supports, also its",
    "`@agentrt/core` peer range) and `agentrt.conformance` (the inputs `agentrt templates validate` checks",
    "with, the same as `test/conformance.test.ts`). The server takes the template's version from",
    "`version`.",
  );
}

/** Every file of a new template package, by path relative to its directory. */
export function renderTemplateFiles(
  names: TemplateNames,
  versions: ScaffoldVersions,
): Record<string, string> {
  return {
    "package.json": json(packageJson(names, versions)),
    "tsconfig.json": json(tsconfig),
    "tsup.config.ts": tsupConfig,
    ".gitignore": lines("node_modules", "dist", "coverage"),
    "README.md": readme(names),
    "src/schema.ts": schemaSource,
    "src/agent.ts": agentSource,
    "src/index.ts": indexSource(names),
    "test/conformance.test.ts": conformanceTest,
  };
}
