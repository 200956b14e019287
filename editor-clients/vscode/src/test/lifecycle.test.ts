import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  commandLine,
  describeExit,
  failureLog,
  failureMessage,
  MESSAGE_STDERR_LINES,
  onConnectionError,
  RestartBudget,
  ServerProcess,
  StderrTail,
} from "../lifecycle";

/** Real programs in a temporary folder: a server that dies at import, one that hangs, ... */
let root: string;

function script(name: string, body: string, mode = 0o755): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(file, mode);
  return file;
}

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/venv/bin/protosmith", line 5, in <module>',
  "    from protosmith.cli import main",
  '  File "/venv/lib/python3.12/site-packages/protosmith/cli.py", line 3, in <module>',
  "    import pygls",
  "ModuleNotFoundError: No module named 'pygls'",
];

describe("server process", () => {
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "protosmith-lifecycle-"));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("keeps the exit code and the end of stderr of a server that dies at start", async () => {
    const printf = TRACEBACK.map((line) => `printf '%s\\n' ${JSON.stringify(line)} >&2`).join("\n");
    const broken = script("broken-protosmith", `${printf}\nexit 1`);
    const server = await ServerProcess.start(broken, ["serve"], { env: process.env });
    const exit = await server.settle(10000);
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.deepEqual(server.stderr.lines(), TRACEBACK);
    assert.equal(server.running, false);
    const message = failureMessage({ phase: "start", commandLine: server.line, exit, stderr: server.stderr.lines() });
    assert.ok(message.startsWith("The protosmith language server did not start: "), message);
    assert.ok(message.includes(`"${broken} serve" exited with code 1.`), message);
    assert.ok(message.endsWith("ModuleNotFoundError: No module named 'pygls'"), message);
    // Only the last lines go into the notification; the log has all of them.
    assert.equal(message.includes("Traceback"), false);
    assert.equal(message.split(" ⏎ ").length, MESSAGE_STDERR_LINES);
    const log = failureLog({ phase: "start", commandLine: server.line, exit, stderr: server.stderr.lines() });
    for (const line of TRACEBACK) {
      assert.ok(log.includes(line), line);
    }
    const withError = failureLog({ phase: "start", commandLine: "p serve", exit, stderr: [], error: "write EPIPE" });
    assert.equal(withError, 'The protosmith language server did not start: "p serve" exited with code 1.\nClient error: write EPIPE\nIt wrote nothing to stderr.');
  });

  it("says why a program cannot be run at all", async () => {
    const missing = await ServerProcess.start(path.join(root, "no-such-protosmith"), ["serve"], { env: process.env });
    assert.match(missing.exit?.spawnError ?? "", /ENOENT/);
    assert.match(describeExit(missing.exit), /^could not be run \(ENOENT/);
    const plain = script("not-executable", "exit 0", 0o644);
    const denied = await ServerProcess.start(plain, ["serve"], { env: process.env });
    assert.match(describeExit(denied.exit), /^could not be run \(EACCES/);
  });

  it("terminates a server that does not leave, SIGKILL when it ignores SIGTERM", async () => {
    const stubborn = script("stubborn", "trap '' TERM\nwhile :; do sleep 0.1; done");
    const server = await ServerProcess.start(stubborn, [], { env: process.env });
    assert.equal(server.running, true);
    assert.equal(await server.settle(200), undefined);
    await server.terminate(100);
    assert.equal(server.running, false);
    assert.equal(server.exit?.signal, "SIGKILL");
  });

  it("reports a signal and a crash after start in words", () => {
    assert.equal(describeExit({ code: null, signal: "SIGSEGV" }), "was killed by SIGSEGV");
    const crash = failureMessage({
      phase: "crash",
      commandLine: "protosmith serve",
      exit: { code: 3, signal: null },
      stderr: ["MemoryError"],
      restarts: 3,
    });
    assert.equal(
      crash,
      "The protosmith language server stopped again after 3 restarts in 3 minutes and was not restarted: " +
        '"protosmith serve" exited with code 3. Its stderr ends with: MemoryError',
    );
    assert.equal(
      failureMessage({ phase: "exit", commandLine: "protosmith serve", exit: { code: null, signal: "SIGKILL" }, stderr: [] }),
      'The protosmith language server stopped: "protosmith serve" was killed by SIGKILL.',
    );
    const silent = failureMessage({ phase: "restart", commandLine: "protosmith serve", exit: { code: 1, signal: null }, stderr: [] });
    assert.equal(silent, 'The protosmith language server stopped, and restarting it failed: "protosmith serve" exited with code 1.');
  });
});

describe("stderr tail", () => {
  it("keeps the last lines across chunk boundaries and drops blank ones", () => {
    const tail = new StderrTail(3, 20);
    tail.push("one\ntw");
    tail.push("o\n\nthree\r\nfour\nfi");
    assert.deepEqual(tail.lines(), ["three", "four", "fi"]);
    tail.push("ve " + "x".repeat(40));
    assert.deepEqual(tail.last(1), ["five " + "x".repeat(14) + "…"]);
  });

  it("quotes a command line only where a shell needs it", () => {
    assert.equal(commandLine("/opt/my tools/protosmith", ["serve", "--log", "a'b"]), "'/opt/my tools/protosmith' serve --log 'a'\\''b'");
    assert.equal(commandLine("/venv/bin/python", ["-m", "protosmith", "serve"]), "/venv/bin/python -m protosmith serve");
  });
});

describe("restart policy", () => {
  it("never keeps a server that has not started, and shuts a running one after three errors", () => {
    assert.equal(onConnectionError(false, 1), "terminate");
    assert.equal(onConnectionError(true, 1), "continue");
    assert.equal(onConnectionError(true, 3), "continue");
    assert.equal(onConnectionError(true, 4), "shutdown");
  });

  it("allows a bounded number of restarts in the window, then more once it has passed", () => {
    let now = 0;
    const budget = new RestartBudget(3, 1000, () => now);
    assert.deepEqual([budget.take(), budget.take(), budget.take(), budget.take()], [true, true, true, false]);
    assert.equal(budget.used, 3);
    now = 1500;
    assert.equal(budget.take(), true);
    assert.equal(budget.used, 1);
  });
});
