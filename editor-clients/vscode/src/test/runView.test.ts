import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { RUN_SCHEME, RunDocuments, runText, runUri } from "../runView";
import * as stub from "./vscode-stub";

describe("run documents", () => {
  beforeEach(() => stub.reset());

  it("serves runs on their own scheme and tells VS Code when a shown run changes", () => {
    const documents = new RunDocuments();
    const disposables = documents.register();
    assert.equal(stub.recorded.contentProviders.get(RUN_SCHEME), documents);
    const changed: string[] = [];
    documents.onDidChange((uri) => changed.push(uri.toString()));

    const uri = documents.put({ run_id: "generate-1a2b", status: "running", percentage: 10 });
    assert.equal(uri.toString(), "protosmith-run:generate-1a2b.json");
    assert.deepEqual(changed, []); // a new document is read when opened
    const running = JSON.parse(documents.provideTextDocumentContent(uri)) as Record<string, unknown>;
    assert.equal(running.percentage, 10);

    documents.put({ run_id: "generate-1a2b", status: "cancelled", percentage: 10 });
    assert.deepEqual(changed, ["protosmith-run:generate-1a2b.json"]);
    const cancelled = JSON.parse(documents.provideTextDocumentContent(uri)) as Record<string, unknown>;
    assert.equal("percentage" in cancelled, false);

    for (const disposable of disposables) {
      disposable.dispose();
    }
    assert.equal(stub.recorded.contentProviders.has(RUN_SCHEME), false);
  });

  it("names documents after the run id, safely, and keeps text results as markdown", () => {
    assert.equal(runUri({ run_id: "../a b" }).toString(), "protosmith-run:..-a-b.json");
    assert.equal(runUri({}).toString(), "protosmith-run:run.json");
    assert.equal(runUri("# Run").toString(), "protosmith-run:run.md");
    assert.equal(runText("# Run"), "# Run");
    assert.equal(runText({ status: "finished", percentage: 0 }), '{\n  "status": "finished"\n}\n');
  });

  it("has an event emitter whose listeners can leave, and opens only served schemes", async () => {
    const emitter = new stub.EventEmitter<number>();
    const seen: number[] = [];
    const subscription = emitter.event((value) => seen.push(value));
    emitter.fire(1);
    subscription.dispose();
    emitter.fire(2);
    assert.deepEqual(seen, [1]);
    await assert.rejects(stub.workspace.openTextDocument(stub.Uri.parse("nobody:x.json")), /cannot open/);
  });
});
