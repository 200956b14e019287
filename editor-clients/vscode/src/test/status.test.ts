import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { progressMiddleware, RunTracker, StatusBar } from "../status";
import * as stub from "./vscode-stub";

describe("status", () => {
  beforeEach(() => stub.reset());

  it("shows server state, then the stage and percentage of a run", () => {
    const tracker = new RunTracker();
    assert.match(tracker.view().text, /loading/);
    tracker.setServerState("running");
    assert.equal(tracker.view().text, "$(beaker) protosmith");
    tracker.progress("tok", { kind: "begin", title: "protosmith generate", percentage: 0, message: "architecture" });
    tracker.progress("tok", { kind: "report", percentage: 42.4, message: "implementing api" });
    const view = tracker.view();
    assert.equal(view.text, "$(sync~spin) protosmith generate 42%");
    assert.match(view.tooltip, /implementing api/);
    assert.equal(view.command, "protosmith.cancelRun");
    tracker.progress("tok", { kind: "end" });
    assert.equal(tracker.activeCount, 0);
    assert.equal(tracker.view().command, "protosmith.showRunDetails");
  });

  it("counts concurrent runs and ignores reports for unknown tokens", () => {
    const tracker = new RunTracker();
    tracker.setServerState("running");
    tracker.progress(1, { kind: "begin", title: "review" });
    tracker.progress(2, { kind: "begin", title: "generate", percentage: 10 });
    tracker.progress(3, { kind: "report", percentage: 99 });
    assert.equal(tracker.view().text, "$(sync~spin) generate 10% (+1)");
    tracker.setServerState("stopped");
    assert.equal(tracker.activeCount, 0);
    assert.equal(tracker.view().command, "protosmith.restartServer");
    tracker.setServerState("notFound");
    assert.equal(tracker.view().command, "protosmith.showLog");
  });

  it("renders into a status bar item and passes progress on to the client", () => {
    const tracker = new RunTracker();
    const bar = new StatusBar(tracker);
    const item = stub.recorded.statusItems[0];
    assert.equal(item.visible, true);
    tracker.setServerState("running");
    let passedOn = 0;
    progressMiddleware(tracker)("t", { kind: "begin", title: "review", percentage: 50 }, () => (passedOn += 1));
    assert.equal(passedOn, 1);
    assert.equal(item.text, "$(sync~spin) review 50%");
    bar.dispose();
    assert.equal(item.visible, false);
  });
});
