/** Python code and the host: declared packages installed in memory, and ctx.fetch through the host. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompiledCode, compileUserCode, createSandboxPool, type SandboxPool } from "../src/index.js";
import { expectCode, py } from "./helpers.js";
import { createPythonPackageDir } from "./python-fixtures.js";

let server: Server;
let origin: string;
let pool: SandboxPool;
let noFetchPool: SandboxPool;
const packageDir = createPythonPackageDir();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/hang") return; // never answers
      const delay = req.url === "/late" ? 1_500 : 0;
      setTimeout(() => {
        res.setHeader("x-echo", req.method ?? "");
        res.end(JSON.stringify({ path: req.url, body, type: req.headers["content-type"] ?? null }));
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = createSandboxPool({
    jsWorkers: 0,
    pythonWorkers: 2,
    fetchAllowList: [new URL(origin).host],
    defaults: { timeoutMs: 1_000 },
  });
  noFetchPool = createSandboxPool({ jsWorkers: 0, pythonWorkers: 1 });
});

afterAll(async () => {
  await Promise.all([pool.close(), noFetchPool.close()]);
  server.closeAllConnections();
  server.close();
});

const withPackages = (source: string, dependencies = ["tinyfmt"]): Promise<CompiledCode> =>
  compileUserCode({
    language: "python",
    source,
    entryPoint: "main",
    dependencies,
    allowedDependencies: ["tinyfmt", "loose"],
    resolveDir: packageDir,
  });

describe("declared packages", () => {
  it("import from memory, with what they require, and never from the host directory", async () => {
    const compiled = await withPackages(
      "import tinyfmt, os\nfrom importlib.metadata import version\ndef main(i, ctx):\n    return [tinyfmt.shout(i), tinyfmt.__file__.startswith('/lib/agentrt-site/'), os.path.exists(" +
        JSON.stringify(packageDir) +
        "), version('tinyfmt')]\n",
    );
    for (const input of ["hi", "again"]) {
      const { result } = await pool.run({ compiled, input, isolationKey: "pkg" });
      expect(result).toEqual([`${input.toUpperCase()}!`, true, false, "1.0"]);
    }
  });

  it("are reinstalled when a run deleted them, and gone for a revision that does not declare them", async () => {
    const vandal = await withPackages(
      "import tinyfmt, shutil, os\ndef main(i, ctx):\n    shutil.rmtree(os.path.dirname(os.path.dirname(tinyfmt.__file__)))\n    return 'deleted'\n",
    );
    expect((await pool.run({ compiled: vandal, input: null, isolationKey: "pkg" })).result).toBe("deleted");
    const user = await withPackages("import tinyfmt\ndef main(i, ctx):\n    return tinyfmt.shout(i)\n");
    expect((await pool.run({ compiled: user, input: "ok", isolationKey: "pkg" })).result).toBe("OK!");
    const without = await py("def main(i, ctx):\n    return __import__('tinyfmt').shout('x')\n");
    const error = await expectCode(
      pool.run({ compiled: without, input: null, isolationKey: "pkg" }),
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/ModuleNotFoundError/);
  });

  it("stay imported across the runs of one bundle, and are imported afresh after another revision", async () => {
    const counter = await withPackages(
      "import tinyfmt\ndef main(i, ctx):\n    tinyfmt.runs = getattr(tinyfmt, 'runs', 0) + 1\n    return tinyfmt.runs\n",
    );
    const other = await py("def main(i, ctx):\n    return 'other'\n");
    const runAs = async (compiled: CompiledCode) =>
      (await pool.run({ compiled, input: null, isolationKey: "counter" })).result;
    expect([await runAs(counter), await runAs(counter)]).toEqual([1, 2]);
    expect(await runAs(other)).toBe("other");
    expect(await runAs(counter)).toBe(1);
  });

  it("can be a package without metadata", async () => {
    const compiled = await withPackages("import loose\ndef main(i, ctx):\n    return loose.VALUE\n", [
      "loose",
    ]);
    expect((await pool.run({ compiled, input: null, isolationKey: "loose" })).result).toBe(42);
  });
});

describe("ctx.fetch", () => {
  const run = async (source: string, input: unknown = origin, isolationKey = "fetch") =>
    (await pool.run({ compiled: await py(source), input, isolationKey })).result;

  it("performs allow-listed requests through the host", async () => {
    const result = await run(
      "def main(url, ctx):\n    r = ctx.fetch(url + '/a', method='post', json={'n': 1}, headers={'x-k': 'v'})\n    return [r.status, r.ok, r.headers['x-echo'], r.json()]\n",
    );
    expect(result).toEqual([200, true, "POST", { path: "/a", body: '{"n": 1}', type: "application/json" }]);
    expect(
      await run("def main(url, ctx):\n    return ctx.fetch(url + '/b', body=b'raw').json()['body']\n"),
    ).toBe("raw");
  });

  it("raises ConnectionError for hosts off the allow-list, and counts as a host call", async () => {
    expect(
      await run(
        "def main(url, ctx):\n    try:\n        ctx.fetch('http://169.254.169.254/latest/meta-data')\n    except ConnectionError as e:\n        return str(e)\n",
      ),
    ).toMatch(/not on the fetch allow-list/);
    expect(
      await run(
        "def main(url, ctx):\n    try:\n        ctx.fetch(url, body='x' * 1100000)\n    except ConnectionError as e:\n        return str(e)\n",
      ),
    ).toMatch(/malformed or oversized fetch request/);
    const flood = await py("def main(url, ctx):\n    while True:\n        ctx.fetch(url)\n");
    await expectCode(
      pool.run({ compiled: flood, input: origin, isolationKey: "fetch", limits: { maxHostCalls: 5 } }),
      "HOST_CALL_LIMIT",
    );
  });

  it("is stopped by the run's timeout, and a late reply never reaches the next run", async () => {
    await expectCode(
      pool.run({
        compiled: await py("def main(url, ctx):\n    ctx.fetch(url + '/hang')\n"),
        input: origin,
        isolationKey: "fetch",
      }),
      "TIMEOUT",
    );
    await expectCode(
      pool.run({
        compiled: await py("def main(url, ctx):\n    ctx.fetch(url + '/late')\n"),
        input: origin,
        isolationKey: "fetch",
      }),
      "TIMEOUT",
    );
    expect(await run("def main(url, ctx):\n    return ctx.fetch(url + '/next').json()['path']\n")).toBe(
      "/next",
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the /late reply arrives now
    expect(await run("def main(url, ctx):\n    return ctx.fetch(url + '/after').json()['path']\n")).toBe(
      "/after",
    );
  });

  it("does not exist when the operator allows no hosts, and stdin is empty", async () => {
    const { result } = await noFetchPool.run({
      compiled: await py(
        "import sys\ndef main(i, ctx):\n    return [hasattr(ctx, 'fetch'), sys.stdin.read()]\n",
      ),
      input: null,
    });
    expect(result).toEqual([false, ""]);
  });
});
