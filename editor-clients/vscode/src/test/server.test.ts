import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { findOnPath, interpreterFromApi, isFound, notFoundMessage, resolveServer, scriptCandidates } from "../server";

/** A real temporary tree: bin/protosmith (executable), venv/bin/python and venv/bin/protosmith. */
let root: string;

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\nexit 0\n");
  fs.chmodSync(file, 0o755);
  return file;
}

describe("server resolution", () => {
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "protosmith-vscode-"));
    executable(path.join(root, "bin", "protosmith"));
    executable(path.join(root, "venv", "bin", "python"));
    executable(path.join(root, "venv", "bin", "protosmith"));
    executable(path.join(root, "bare", "bin", "python"));
    fs.writeFileSync(path.join(root, "not-executable"), "data");
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("uses protosmith.serverPath first", async () => {
    const server = path.join(root, "bin", "protosmith");
    const found = await resolveServer({ serverPath: server, env: { PATH: "" }, platform: "linux" });
    assert.deepEqual(found, { command: server, args: ["serve"], source: "setting" });
  });

  it("explains a serverPath that is not executable instead of falling back silently", async () => {
    const bad = path.join(root, "not-executable");
    const result = await resolveServer({ serverPath: bad, env: { PATH: path.join(root, "bin") }, platform: "linux" });
    assert.equal(isFound(result), false);
    assert.match((result as { message: string }).message, /protosmith\.serverPath .* not an executable/);
  });

  it("prefers the selected interpreter's console script over PATH", async () => {
    const python = path.join(root, "venv", "bin", "python");
    const found = await resolveServer({
      serverPath: "",
      env: { PATH: path.join(root, "bin") },
      platform: "linux",
      interpreter: () => Promise.resolve(python),
    });
    assert.deepEqual(found, { command: path.join(root, "venv", "bin", "protosmith"), args: ["serve"], source: "python" });
  });

  it("runs `python -m protosmith serve` when the interpreter has the package but no script", async () => {
    const python = path.join(root, "bare", "bin", "python");
    const found = await resolveServer({
      serverPath: "",
      env: { PATH: "" },
      platform: "linux",
      interpreter: () => Promise.resolve(python),
      canImport: (candidate) => Promise.resolve(candidate === python),
    });
    assert.deepEqual(found, { command: python, args: ["-m", "protosmith", "serve"], source: "python" });
  });

  it("falls back to PATH", async () => {
    const found = await resolveServer({
      serverPath: "",
      env: { PATH: [path.join(root, "nowhere"), path.join(root, "bin")].join(":") },
      platform: "linux",
      interpreter: () => Promise.resolve(undefined),
    });
    assert.deepEqual(found, { command: path.join(root, "bin", "protosmith"), args: ["serve"], source: "path" });
  });

  it("says what to install when nothing is found", async () => {
    const python = path.join(root, "bare", "bin", "python");
    const result = await resolveServer({
      serverPath: "",
      env: { PATH: path.join(root, "nowhere") },
      platform: "linux",
      interpreter: () => Promise.resolve(python),
      canImport: () => Promise.resolve(false),
    });
    assert.equal(isFound(result), false);
    const { message, tried } = result as { message: string; tried: string[] };
    assert.match(message, /pip install protosmith/);
    assert.match(message, /protosmith\.serverPath/);
    assert.ok(message.includes(python));
    // The log names the PATH that was searched: in a remote window it is the remote login shell's.
    assert.deepEqual(tried, [
      path.join(root, "bare", "bin", "protosmith"),
      `${python} -m protosmith`,
      `protosmith on PATH=${path.join(root, "nowhere")}`,
    ]);
    assert.match(notFoundMessage(undefined), /pipx install protosmith/);
    assert.doesNotMatch(notFoundMessage(undefined), /remote/);
  });

  it("says the search ran on the remote host in a remote window", async () => {
    const result = await resolveServer({ serverPath: "", env: {}, platform: "linux", remoteName: "ssh-remote" });
    const { message, tried } = result as { message: string; tried: string[] };
    assert.deepEqual(tried, ["protosmith on PATH=(empty)"]);
    assert.match(message, /remote host \(ssh-remote\).*login shell/);
    const bad = await resolveServer({ serverPath: "/home/me/venv/bin/protosmith", env: {}, platform: "linux", remoteName: "wsl" });
    assert.match((bad as { message: string }).message, /not an executable file on the remote host \(wsl\)/);
  });

  it("skips files that are not executable on PATH", async () => {
    const dir = path.join(root, "plain");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "protosmith"), "data");
    assert.equal(await findOnPath("protosmith", { PATH: dir }, "linux"), undefined);
  });

  it("knows where Windows virtual environments keep scripts", () => {
    const candidates = scriptCandidates(path.join("C:", "venv", "Scripts", "python.exe"), "win32");
    assert.ok(candidates[0].endsWith(path.join("Scripts", "protosmith.exe")));
  });

  it("reads the interpreter from the Python extension API", async () => {
    const api = {
      environments: {
        getActiveEnvironmentPath: () => ({ path: "/envs/a" }),
        resolveEnvironment: (env: { path: string } | string) =>
          Promise.resolve({ executable: { uri: { fsPath: `${typeof env === "string" ? env : env.path}/bin/python` } } }),
      },
    };
    assert.equal(await interpreterFromApi(api, undefined), "/envs/a/bin/python");
    assert.equal(await interpreterFromApi({}, undefined), undefined);
    assert.equal(await interpreterFromApi(undefined, undefined), undefined);
  });
});
