import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";

import { Commands, describeRun, type Executor, refineMiddleware, selectionRange } from "../commands";
import * as stub from "./vscode-stub";

/** Stands in for the language client: records requests, answers from a table. */
class FakeClient implements Executor {
  readonly requests: Array<{ method: string; param: { command: string; arguments: unknown[] } }> = [];
  constructor(private readonly replies: Record<string, unknown>) {}
  sendRequest<R>(method: string, param: unknown): Promise<R> {
    const typed = param as { command: string; arguments: unknown[] };
    this.requests.push({ method, param: typed });
    const reply = this.replies[typed.command];
    return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply as R);
  }
}

function commandsWith(client: FakeClient | undefined, reviewLlm = false): { commands: Commands; logs: number[] } {
  const logs: number[] = [];
  const commands = new Commands({
    client: () => Promise.resolve(client),
    restart: () => Promise.resolve(),
    showLog: () => logs.push(1),
    reviewLlm: () => reviewLlm,
  });
  return { commands, logs };
}

const summary = {
  run_id: "r1",
  status: "succeeded",
  files: ["prototype/app.py", "prototype/test_app.py"],
  prompt_tokens: 100,
  completion_tokens: 20,
  cost_usd: 0,
  tests: { ran: 2, passed: 2, failed: 0, not_run: 0 },
  duration_s: 3.25,
};

function editor(file: string, selection: stub.Selection): { document: stub.StubTextDocument; selection: stub.Selection } {
  return { document: stub.textDocument(stub.Uri.file(file)), selection };
}

describe("commands", () => {
  beforeEach(() => stub.reset());

  it("describes a run summary in one sentence", () => {
    assert.equal(
      describeRun(summary),
      "protosmith run r1 succeeded, 2 files, tests 2 passed, 0 failed, 120 tokens, 3.3 s.",
    );
    assert.match(describeRun({ run_id: "r2", status: "partial", tests: { not_run: 1 }, message: "Resume with --resume r2." }), /1 not run.*Resume/);
    // An invalid spec fails before the run has an id: no "run  failed" with an empty id.
    assert.equal(
      describeRun({ run_id: "", status: "failed", message: "invalid spec: modules: at least one module" }),
      "protosmith generation failed, 0 files, 0 tokens. invalid spec: modules: at least one module",
    );
  });

  it("maps a selection to an LSP range, and an empty one to the whole file", () => {
    const selection = new stub.Selection(new stub.Position(4, 8), new stub.Position(2, 0));
    assert.deepEqual(selectionRange(selection as unknown as vscode.Selection), {
      start: { line: 2, character: 0 },
      end: { line: 4, character: 8 },
    });
    const empty = new stub.Selection(new stub.Position(1, 1), new stub.Position(1, 1));
    assert.equal(selectionRange(empty as unknown as vscode.Selection), undefined);
  });

  it("generates from the only spec, saving it first, and remembers the run", async () => {
    const spec = stub.Uri.file("/ws/protosmith.toml");
    stub.state.files = [spec];
    const open = stub.textDocument(spec, true);
    stub.state.textDocuments = [open];
    const client = new FakeClient({ "protosmith.generate": summary });
    const { commands } = commandsWith(client);
    const result = await commands.generate();
    assert.deepEqual(result, summary);
    assert.equal(open.saved, 1);
    assert.deepEqual(client.requests[0], {
      method: "workspace/executeCommand",
      param: { command: "protosmith.generate", arguments: [{ spec: spec.toString() }] },
    });
    assert.equal(commands.lastRunId, "r1");
    // The server announces the run; the client only adds a status bar line on success.
    assert.equal(stub.recorded.messages.length, 0);
    assert.match(stub.recorded.statusMessages[0], /run r1 succeeded, 2 files/);
  });

  it("asks which spec when there are several, and explains when there is none", async () => {
    stub.state.workspaceFolders = [{ uri: stub.Uri.file("/ws"), name: "ws", index: 0 }];
    stub.state.files = [stub.Uri.file("/ws/b/protosmith.toml"), stub.Uri.file("/ws/a/protosmith.toml")];
    stub.answers.quickPick.push(0);
    const client = new FakeClient({ "protosmith.generate": { ...summary, status: "failed" } });
    await commandsWith(client).commands.generate();
    const sent = client.requests[0].param.arguments[0] as { spec: string };
    assert.equal(sent.spec, stub.Uri.file("/ws/a/protosmith.toml").toString());
    // The server announces the failed run itself: the extension adds no second notification.
    assert.equal(stub.recorded.messages.length, 0);
    assert.match(stub.recorded.statusMessages[0], /run r1 failed/);

    stub.reset();
    const none = new FakeClient({});
    assert.equal(await commandsWith(none).commands.generate(), undefined);
    assert.equal(none.requests.length, 0);
    assert.match(stub.recorded.messages[0].text, /protosmith init/);
  });

  it("announces nothing of its own for an invalid spec, and keeps no empty run id", async () => {
    const spec = stub.Uri.file("/ws/protosmith.toml");
    const client = new FakeClient({
      "protosmith.generate": { run_id: "", status: "failed", files: [], message: "invalid spec: name: field required" },
      "protosmith.showRun": { run_id: "r0", status: "succeeded" },
    });
    const { commands } = commandsWith(client);
    commands.register();
    await commands.generate(spec as unknown as vscode.Uri);
    assert.equal(stub.recorded.messages.length, 0);
    assert.equal(stub.recorded.statusMessages.length, 1);
    assert.doesNotMatch(stub.recorded.statusMessages[0], /run {2}/);
    assert.match(stub.recorded.statusMessages[0], /^protosmith generation failed, .*invalid spec: name: field required$/);
    assert.equal(commands.lastRunId, undefined);
    await commands.showRun();
    assert.deepEqual(client.requests[1].param, { command: "protosmith.showRun", arguments: [{}] });
  });

  it("uses the active protosmith.toml or an explorer argument without searching", async () => {
    const spec = stub.Uri.file("/ws/sub/protosmith.toml");
    const client = new FakeClient({ "protosmith.generate": summary });
    await commandsWith(client).commands.generate(spec as unknown as vscode.Uri);
    stub.state.activeTextEditor = editor("/ws/other/protosmith.toml", new stub.Selection(new stub.Position(0, 0), new stub.Position(0, 0)));
    await commandsWith(client).commands.generate();
    const specs = client.requests.map((request) => (request.param.arguments[0] as { spec: string }).spec);
    assert.deepEqual(specs, [spec.toString(), stub.Uri.file("/ws/other/protosmith.toml").toString()]);
  });

  it("reviews the active file with the review.llm setting and offers the Problems view", async () => {
    stub.state.activeTextEditor = editor("/ws/app.py", new stub.Selection(new stub.Position(0, 0), new stub.Position(0, 0)));
    stub.answers.messageChoice.push("Show Problems");
    const client = new FakeClient({ "protosmith.review": { findings: 3 } });
    const count = await commandsWith(client, true).commands.reviewFile();
    assert.equal(count, 3);
    assert.deepEqual(client.requests[0].param.arguments[0], { uri: stub.Uri.file("/ws/app.py").toString(), llm: true });
    assert.equal(stub.recorded.messages[0].text, "protosmith: 3 findings in app.py.");
    assert.equal(stub.recorded.executed[0].command, "workbench.actions.view.problems");
  });

  it("reviews the workspace folder and reports zero findings quietly", async () => {
    stub.state.workspaceFolders = [{ uri: stub.Uri.file("/ws"), name: "ws", index: 0 }];
    const client = new FakeClient({ "protosmith.review": { findings: 0 } });
    assert.equal(await commandsWith(client).commands.reviewWorkspace(), 0);
    assert.deepEqual(client.requests[0].param.arguments[0], { uri: stub.Uri.file("/ws").toString(), llm: false });
    assert.equal(stub.recorded.messages.length, 0);
    assert.deepEqual(stub.recorded.statusMessages, ["protosmith: 0 findings in ws."]);
  });

  it("refines the selection with the instruction from the input box", async () => {
    stub.state.activeTextEditor = editor("/ws/app.py", new stub.Selection(new stub.Position(1, 0), new stub.Position(3, 5)));
    stub.state.activeTextEditor.document.isDirty = true;
    stub.answers.inputBox.push("  use a dict lookup  ");
    const client = new FakeClient({ "protosmith.refine": { applied: true } });
    await commandsWith(client).commands.refineSelection();
    assert.deepEqual(client.requests[0].param.arguments[0], {
      uri: stub.Uri.file("/ws/app.py").toString(),
      instruction: "use a dict lookup",
      range: { start: { line: 1, character: 0 }, end: { line: 3, character: 5 } },
    });
    assert.match(stub.recorded.inputBoxes[0].prompt ?? "", /selection/);
    assert.equal(stub.state.activeTextEditor.document.saved, 1);
    assert.match(stub.recorded.statusMessages[0], /refinement applied/);
  });

  it("sends nothing when the instruction is dismissed, and omits the range for an empty selection", async () => {
    stub.state.activeTextEditor = editor("/ws/app.py", new stub.Selection(new stub.Position(1, 0), new stub.Position(1, 0)));
    const client = new FakeClient({ "protosmith.refine": { applied: false, message: "tests failed" } });
    stub.answers.inputBox.push(undefined);
    await commandsWith(client).commands.refineSelection();
    assert.equal(client.requests.length, 0);
    stub.answers.inputBox.push("rename x to count");
    await commandsWith(client).commands.refineSelection();
    assert.equal("range" in (client.requests[0].param.arguments[0] as object), false);
    assert.equal(stub.recorded.statusMessages[0], "protosmith: refinement not applied. tests failed");
  });

  it("asks for the instruction when the refine code action sends protosmith.refine without one", async () => {
    const document = stub.textDocument(stub.Uri.file("/ws/app.py"), true);
    stub.state.textDocuments = [document];
    const sent: Array<{ command: string; args: unknown[] }> = [];
    const next = (command: string, args: unknown[]) => {
      sent.push({ command, args });
      return { applied: true };
    };
    const middleware = refineMiddleware();
    const range = { start: { line: 2, character: 0 }, end: { line: 2, character: 40 } };
    const target = { uri: document.uri.toString(), range };
    stub.answers.inputBox.push("  rename cart_total to basket_total ");
    assert.deepEqual(await middleware("protosmith.refine", [target], next), { applied: true });
    assert.deepEqual(sent[0], {
      command: "protosmith.refine",
      args: [{ ...target, instruction: "rename cart_total to basket_total" }],
    });
    assert.match(stub.recorded.inputBoxes[0].prompt ?? "", /selection/);
    assert.equal(document.saved, 1, "the server refines the saved file");

    stub.answers.inputBox.push(undefined); // dismissed: nothing reaches the server
    assert.equal(await middleware("protosmith.refine", [target], next), undefined);
    assert.equal(sent.length, 1);

    // An instruction already there (the LLM quick fix) and other commands pass through unasked.
    await middleware("protosmith.refine", [{ ...target, instruction: "fix it" }], next);
    await middleware("protosmith.ignoreFinding", [{ uri: target.uri }], next);
    assert.equal(sent.length, 3);
    assert.equal(stub.recorded.inputBoxes.length, 2);
  });

  it("cancels runs and shows the last run as a JSON document", async () => {
    const client = new FakeClient({
      "protosmith.generate": summary,
      "protosmith.cancel": { cancelled: 1 },
      "protosmith.showRun": { run_id: "r1", status: "succeeded" },
    });
    const { commands } = commandsWith(client);
    commands.register();
    await commands.cancel();
    assert.deepEqual(client.requests[0].param, { command: "protosmith.cancel", arguments: [{}] });
    await commands.generate(stub.Uri.file("/ws/protosmith.toml") as unknown as vscode.Uri);
    await commands.showRun();
    assert.deepEqual(client.requests[2].param, { command: "protosmith.showRun", arguments: [{ run_id: "r1" }] });
    const shown = stub.recorded.shownDocuments[0];
    assert.equal(shown.language, "json");
    assert.deepEqual(JSON.parse(shown.content ?? ""), { run_id: "r1", status: "succeeded" });
    // A read-only virtual document: nothing asks to be saved when it is closed.
    assert.equal(shown.uri.toString(), "protosmith-run:r1.json");
    assert.equal(shown.readOnly, true);
    assert.equal(shown.isDirty, false);
  });

  it("shows a finished review without a progress percentage, and refreshes a shown run", async () => {
    const replies: Record<string, unknown> = {
      "protosmith.showRun": { run_id: "review-1a", kind: "review", status: "running", percentage: 40 },
    };
    const client = new FakeClient(replies);
    const { commands } = commandsWith(client);
    commands.register();
    await commands.showRun();
    const shown = stub.recorded.shownDocuments[0];
    const running = JSON.parse(shown.content ?? "") as Record<string, unknown>;
    assert.equal(running.percentage, 40);
    replies["protosmith.showRun"] = { run_id: "review-1a", kind: "review", status: "finished", percentage: 0, result: { findings: 2 } };
    await commands.showRun();
    const finished = JSON.parse(shown.content ?? "") as Record<string, unknown>;
    assert.equal(finished.status, "finished");
    assert.equal("percentage" in finished, false);
    assert.deepEqual(finished.result, { findings: 2 });
  });

  it("reports a failed request with a way to the log", async () => {
    stub.answers.messageChoice.push("Show Log");
    const client = new FakeClient({ "protosmith.cancel": new Error("server crashed") });
    const { commands, logs } = commandsWith(client);
    await commands.cancel();
    assert.equal(stub.recorded.messages[0].text, "protosmith: protosmith.cancel failed: server crashed");
    assert.equal(logs.length, 1);
    const prefixed = new FakeClient({ "protosmith.generate": new Error("protosmith: backend 'openai' unavailable: no model set") });
    await commandsWith(prefixed).commands.generate(stub.Uri.file("/ws/protosmith.toml") as unknown as vscode.Uri);
    assert.equal(stub.recorded.messages[1].text, "protosmith: protosmith.generate failed: backend 'openai' unavailable: no model set");
  });

  it("does nothing more when the server cannot start", async () => {
    stub.state.workspaceFolders = [{ uri: stub.Uri.file("/ws"), name: "ws", index: 0 }];
    assert.equal(await commandsWith(undefined).commands.reviewWorkspace(), undefined);
    assert.equal(stub.recorded.messages.length, 0);
  });
});
