import { describe, expect, it } from "vitest";
import { captureIo } from "../test/capture-io.js";
import { COMMANDS, runCli } from "./cli.js";

describe("runCli", () => {
  it("prints the command list for --help (exit 0) and without arguments (exit 2)", async () => {
    const help = captureIo("/");
    expect(await runCli(["--help"], help)).toBe(0);
    for (const command of COMMANDS) expect(help.out).toContain(command.name);
    expect(help.out).toContain("Exit codes: 0 ok, 1 failure, 2 usage error.");
    const none = captureIo("/");
    expect(await runCli([], none)).toBe(2);
    expect(none.out).toContain("Usage: agentrt <command>");
  });

  it("prints its version", async () => {
    const io = captureIo("/");
    expect(await runCli(["--version"], io)).toBe(0);
    expect(io.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("prints each command's help with its options", async () => {
    for (const command of COMMANDS) {
      const io = captureIo("/");
      expect(await runCli([...command.name.split(" "), "--help"], io)).toBe(0);
      expect(io.out).toContain(`Usage: agentrt ${command.name}`);
      expect(io.out).toContain("--help");
    }
  });

  it("exits 2 on unknown commands, unknown options and missing or extra arguments", async () => {
    const unknown = captureIo("/");
    expect(await runCli(["deploy"], unknown)).toBe(2);
    expect(unknown.err).toContain('unknown command "deploy"');
    const option = captureIo("/");
    expect(await runCli(["templates", "list", "--nope"], option)).toBe(2);
    expect(option.err).toContain("--nope");
    expect(option.err).toContain("agentrt --help");
    const missing = captureIo("/");
    expect(await runCli(["templates", "validate"], missing)).toBe(2);
    expect(missing.err).toContain("missing argument");
    const extra = captureIo("/");
    expect(await runCli(["serve", "extra"], extra)).toBe(2);
    expect(extra.err).toContain("unexpected argument: extra");
  });

  it("exits 1 with the message when a command fails on bad configuration", async () => {
    const io = captureIo("/", { AGENTRT_PORT: "not-a-port" });
    expect(await runCli(["templates", "list"], io)).toBe(1);
    expect(io.err).toContain("AGENTRT_PORT");
  });
});
