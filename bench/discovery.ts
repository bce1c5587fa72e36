// Cold discovery + load of installed templates, each measurement in a fresh Node process (empty
// module cache), against a baseline of importing the same entry files directly with no discovery.
import { execFileSync } from "node:child_process";
import { createBenchHost, firstPartyLinks } from "./host.ts";
import { ms, summarize, table, verdict } from "./lib.ts";

const RUNS = Number(process.env.BENCH_DISCOVERY_RUNS ?? 7);

const probe = (mode: "discover" | "import") => `
  const { discoverTemplates, createTemplateRegistry, readTemplateManifest } = await import("@agentrt/runtime");
  const hostDir = process.argv[1];
  const start = performance.now();
  if (${JSON.stringify(mode)} === "discover") {
    const registry = createTemplateRegistry(await discoverTemplates({ hostDir }));
    if (registry.names().length !== 3) throw new Error("expected 3 templates, got " + registry.names().join(","));
  } else {
    const { createRequire } = await import("node:module");
    const { join, dirname } = await import("node:path");
    const require = createRequire(join(hostDir, "package.json"));
    const names = ${JSON.stringify(Object.keys(firstPartyLinks()))};
    await Promise.all(names.map((n) => import(readTemplateManifest(dirname(require.resolve(n + "/package.json"))).entry)));
  }
  console.log(performance.now() - start);
`;

function measure(hostDir: string, mode: "discover" | "import"): number[] {
  return Array.from({ length: RUNS }, () =>
    Number(
      execFileSync(process.execPath, ["--input-type=module", "-e", probe(mode), hostDir], {
        cwd: import.meta.dirname,
        encoding: "utf8",
      }).trim(),
    ),
  );
}

export default async function bench(): Promise<void> {
  const host = createBenchHost({ fixtures: {}, links: firstPartyLinks() });
  try {
    const base = summarize(measure(host.dir, "import"));
    const ours = summarize(measure(host.dir, "discover"));
    table(
      `Cold template discovery + load, 3 first-party templates, fresh process each, ${RUNS} runs`,
      ["what", "p50", "max", "target"],
      [
        ["baseline: import the 3 entry modules directly", ms(base.p50), ms(base.p99), "-"],
        [
          "agentrt: read deps, check metadata + semver, import, validate",
          ms(ours.p50),
          ms(ours.p99),
          verdict(ours.p50, 50),
        ],
        ["discovery overhead over plain import (p50)", ms(ours.p50 - base.p50), "", ""],
      ],
    );
  } finally {
    host.remove();
  }
}
