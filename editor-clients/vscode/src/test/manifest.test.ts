import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, it } from "node:test";

import { Commands, PALETTE_COMMANDS } from "../commands";
import * as stub from "./vscode-stub";

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    configuration: { properties: Record<string, { scope?: string; ignoreSync?: boolean }> };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as Manifest;
/** Commands the server registers; the language client turns them into VS Code commands. */
const SERVER_COMMANDS = ["protosmith.generate", "protosmith.review", "protosmith.refine", "protosmith.cancel", "protosmith.showRun"];

describe("package.json", () => {
  beforeEach(() => stub.reset());

  it("contributes exactly the palette commands the extension registers", () => {
    const contributed = manifest.contributes.commands.map((entry) => entry.command).sort();
    assert.deepEqual(contributed, [...PALETTE_COMMANDS].sort());
    new Commands({
      client: () => Promise.resolve(undefined),
      restart: () => Promise.resolve(),
      showLog: () => undefined,
      reviewLlm: () => false,
    }).register();
    assert.deepEqual([...stub.recorded.registered.keys()].sort(), contributed);
    assert.ok(manifest.contributes.commands.every((entry) => entry.category === "Protosmith"));
  });

  it("never reuses a server command id, which the language client registers itself", () => {
    for (const command of PALETTE_COMMANDS) {
      assert.equal(SERVER_COMMANDS.includes(command), false, command);
    }
  });

  it("activates on a workspace with a spec and on every command", () => {
    assert.ok(manifest.activationEvents.includes("workspaceContains:**/protosmith.toml"));
    for (const command of PALETTE_COMMANDS) {
      assert.ok(manifest.activationEvents.includes(`onCommand:${command}`), command);
    }
  });

  it("lets serverPath be set in User settings of a remote window, without syncing it", () => {
    // `machine` and `machine-overridable` settings are ignored in User settings when the
    // window is remote (Remote-SSH, WSL, Codespaces, code-server); `window` is honoured in
    // User, Remote and Workspace settings. Untrusted workspaces still cannot set it.
    const serverPath = manifest.contributes.configuration.properties["protosmith.serverPath"];
    assert.equal(serverPath.scope, "window");
    assert.equal(serverPath.ignoreSync, true);
  });

  it("points main at the bundle", () => {
    assert.equal(manifest.main, "./dist/extension.js");
  });
});
