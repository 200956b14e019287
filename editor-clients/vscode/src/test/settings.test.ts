import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { documentSelector, expandPath, needsRestart, readClientSettings } from "../settings";

describe("settings", () => {
  it("expands ~ and ${workspaceFolder}, and anchors relative paths in the workspace", () => {
    assert.equal(expandPath("~/bin/protosmith", "/ws", "/home/me"), path.join("/home/me", "bin/protosmith"));
    assert.equal(expandPath("${workspaceFolder}/.venv/bin/protosmith", "/ws", "/home/me"), "/ws/.venv/bin/protosmith");
    assert.equal(expandPath(".venv/bin/protosmith", "/ws", "/home/me"), path.join("/ws", ".venv/bin/protosmith"));
    assert.equal(expandPath("protosmith", "/ws", "/home/me"), "protosmith");
    assert.equal(expandPath("", "/ws", "/home/me"), "");
  });

  it("reads client settings with defaults", () => {
    const empty = readClientSettings({ get: () => undefined }, undefined);
    assert.deepEqual(empty, { serverPath: "", reviewLlm: false });
    const values: Record<string, unknown> = { serverPath: " /opt/protosmith ", "review.llm": true };
    const set = readClientSettings({ get: <T>(key: string) => values[key] as T }, "/ws");
    assert.deepEqual(set, { serverPath: "/opt/protosmith", reviewLlm: true });
  });

  it("restarts only for settings that choose the server process", () => {
    assert.equal(needsRestart({ affectsConfiguration: (key) => key === "protosmith.serverPath" }), true);
    assert.equal(needsRestart({ affectsConfiguration: (key) => key === "protosmith.model" }), false);
  });

  it("syncs source files and the spec to the server", () => {
    const selector = documentSelector();
    assert.ok(selector.some((filter) => filter.language === "python"));
    assert.ok(selector.some((filter) => filter.pattern === "**/protosmith.toml"));
    assert.ok(selector.every((filter) => filter.scheme === "file"));
  });
});
