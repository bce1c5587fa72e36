/**
 * Python interpreters are bound to one isolation key: state a run leaves behind that the reset cannot
 * undo (patched classes, a replaced harness) reaches only later runs of the same key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxPool, type SandboxPool } from "../src/index.js";
import { childPids, expectCode, py, waitFor } from "./helpers.js";

let pool: SandboxPool;

beforeAll(async () => {
  pool = createSandboxPool({ jsWorkers: 1, pythonWorkers: 1, defaults: { timeoutMs: 3_000 } });
  // The spare is warm once a run finds it ready.
  await pool.run({
    compiled: await py("def main(i, ctx):\n    return i\n"),
    input: 1,
    isolationKey: "warm-up",
  });
});

afterAll(async () => {
  await pool.close();
  expect(childPids()).toEqual([]);
});

const runAs = async (isolationKey: string, source: string, input: unknown = null) =>
  (await pool.run({ compiled: await py(source), input, isolationKey })).result;

const VICTIM = "def main(i, ctx):\n    return ['victim', i]\n";

describe("different keys", () => {
  it("never see a harness replaced through __main__ by another key", async () => {
    const attacker =
      "import json\n__main__ = __import__('__main__')\nasync def evil(source, entry, input_json, *rest):\n    return json.dumps(['ok', json.dumps({'stolen': input_json})])\ndef main(i, ctx):\n    __main__._agentrt_run.__code__ = evil.__code__\n    return 'planted'\n";
    expect(await runAs("attacker", attacker)).toBe("planted");
    expect(await runAs("victim", VICTIM, { secret: "b" })).toEqual(["victim", { secret: "b" }]);
  });

  it("never see a stdlib class patched by another key", async () => {
    const spy =
      "import json\n_orig = json.JSONEncoder.encode\ndef spy(self, o):\n    json.JSONEncoder.loot = getattr(json.JSONEncoder, 'loot', []) + [repr(o)]\n    return _orig(self, o)\ndef main(i, ctx):\n    if i == 'plant':\n        json.JSONEncoder.encode = spy\n        return 'planted'\n    return getattr(json.JSONEncoder, 'loot', [])\n";
    expect(await runAs("spy", spy, "plant")).toBe("planted");
    expect(await runAs("victim", VICTIM, { secret: "tenant-b" })).toEqual(["victim", { secret: "tenant-b" }]);
    expect(JSON.stringify(await runAs("spy", spy, "collect"))).not.toMatch(/tenant-b/);
  });
});

describe("interpreter life cycle", () => {
  it("reuses a key's interpreter without starting a process, and replaces a taken spare", async () => {
    await runAs("steady", VICTIM, 0);
    await waitFor(() => pool.stats().pythonSpares === 1 && childPids("py-child").length === 2);
    const before = childPids("py-child").sort();
    for (let i = 0; i < 5; i++) expect(await runAs("steady", VICTIM, i)).toEqual(["victim", i]);
    expect(childPids("py-child").sort()).toEqual(before);
    expect(pool.stats()).toMatchObject({ pythonSpares: 1, pythonBound: 1 });
  });

  it("binds a new key to the spare, starts a replacement and retires the least recently used key", async () => {
    await runAs("first", VICTIM);
    await waitFor(() => pool.stats().pythonSpares === 1 && childPids("py-child").length === 2);
    const before = childPids("py-child");
    await runAs("second", VICTIM);
    // pythonWorkers: 1 caps bound interpreters at one: "first" is retired once "second" took the spare.
    await waitFor(() => pool.stats().pythonSpares === 1 && childPids("py-child").length === 2);
    const after = childPids("py-child");
    expect(after.filter((pid) => before.includes(pid))).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ pythonBound: 1, pythonWorkers: 2 });
  });

  it("serialises the runs of one key", async () => {
    const slow = "import asyncio\nasync def main(i, ctx):\n    await asyncio.sleep(0.05)\n    return i\n";
    const results = await Promise.all([1, 2, 3].map((n) => runAs("serial", slow, n)));
    expect(results).toEqual([1, 2, 3]);
  });
});

describe("state reset between runs of one key", () => {
  it("restores os.environ and shows no host paths", async () => {
    const writer =
      "import os\ndef main(i, ctx):\n    os.environ['AGENTRT_SECRET'] = 'leaked'\n    return 'set'\n";
    const reader =
      "import os\ndef main(i, ctx):\n    return [os.environ.get('AGENTRT_SECRET'), os.getenv('AGENTRT_SECRET'), '_' in os.environ, any('/work' in v or 'py-worker' in v for v in os.environ.values())]\n";
    expect(await runAs("env", writer)).toBe("set");
    expect(await runAs("env", reader)).toEqual([null, null, false, false]);
  });

  it("caps sys.setrecursionlimit so deep recursion is the user's RecursionError", async () => {
    const deep =
      "import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    return f(n + 1) + 1\ndef main(i, ctx):\n    return f(0)\n";
    const error = await expectCode(
      pool.run({ compiled: await py(deep), input: null, isolationKey: "deep" }),
      "USER_CODE_ERROR",
    );
    expect(error.message).toMatch(/RecursionError/);
    expect(await runAs("deep", "import sys\ndef main(i, ctx):\n    return sys.getrecursionlimit()\n")).toBe(
      1000,
    );
  });
});

describe("malformed replies from the interpreter", () => {
  it("fail the run that sent them with SANDBOX_CRASHED and retire the interpreter", async () => {
    const patched =
      "import json\ndef main(i, ctx):\n    json.dumps = lambda *a, **k: 'not json'\n    return 1\n";
    await expectCode(
      pool.run({ compiled: await py(patched), input: null, isolationKey: "broken" }),
      "SANDBOX_CRASHED",
    );
    expect(await runAs("broken", VICTIM, 1)).toEqual(["victim", 1]);
  });

  it("fail the next run of the key whose harness returns a bare string, not a later one", async () => {
    const planter =
      "__main__ = __import__('__main__')\nasync def bare(source, entry, input_json, *rest):\n    return 'bare'\ndef main(i, ctx):\n    __main__._agentrt_run.__code__ = bare.__code__\n    return 'planted'\n";
    expect(await runAs("bare", planter)).toBe("planted");
    await expectCode(
      pool.run({ compiled: await py(VICTIM), input: 1, isolationKey: "bare" }),
      "SANDBOX_CRASHED",
    );
    expect(await runAs("bare", VICTIM, 2)).toEqual(["victim", 2]);
  });
});
