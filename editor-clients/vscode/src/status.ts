/**
 * The status bar: server state, and the stage and percentage of the runs in progress.
 *
 * Run state comes from the server's work-done progress (`$/progress` begin/report/end), seen
 * through the language client's `handleWorkDoneProgress` middleware so VS Code's own progress
 * notification (with its Cancel button) keeps working.
 */
import * as vscode from "vscode";

export type ServerState = "starting" | "running" | "stopped" | "notFound" | "failed";

export interface ProgressValue {
  kind: "begin" | "report" | "end";
  title?: string;
  message?: string;
  percentage?: number;
  cancellable?: boolean;
}

interface ActiveRun {
  title: string;
  message: string;
  percentage: number | undefined;
}

export interface StatusView {
  text: string;
  tooltip: string;
  command: string;
}

/** Pure state: what the status bar shows for a server state and the active progress tokens. */
export class RunTracker {
  private readonly runs = new Map<string, ActiveRun>();
  private server: ServerState = "starting";
  private serverDetail = "";
  private readonly listeners: Array<() => void> = [];

  /** Call `listener` after every change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** `detail`: for "failed", how the server failed, in a few words (shown in the tooltip). */
  setServerState(state: ServerState, detail = ""): void {
    this.server = state;
    this.serverDetail = detail;
    if (state !== "running") {
      this.runs.clear();
    }
    this.changed();
  }

  get serverState(): ServerState {
    return this.server;
  }

  /** Number of runs in progress. */
  get activeCount(): number {
    return this.runs.size;
  }

  /** Feed one `$/progress` value. */
  progress(token: string | number, value: ProgressValue): void {
    const key = String(token);
    if (value.kind === "end") {
      this.runs.delete(key);
    } else if (value.kind === "begin") {
      this.runs.set(key, {
        title: value.title ?? "protosmith",
        message: value.message ?? "",
        percentage: value.percentage,
      });
    } else {
      const run = this.runs.get(key);
      if (run === undefined) {
        return;
      }
      run.message = value.message ?? run.message;
      run.percentage = value.percentage ?? run.percentage;
    }
    this.changed();
  }

  /** What to show now. */
  view(): StatusView {
    if (this.server === "notFound") {
      return {
        text: "$(warning) protosmith",
        tooltip: "protosmith: language server not found. Click to show the log.",
        command: "protosmith.showLog",
      };
    }
    if (this.server === "failed") {
      return {
        text: "$(error) protosmith",
        tooltip: `protosmith: the language server ${this.serverDetail || "failed"}. Click to show the log; "Protosmith: Restart Server" tries again.`,
        command: "protosmith.showLog",
      };
    }
    if (this.server === "stopped") {
      return {
        text: "$(error) protosmith",
        tooltip: "protosmith: language server stopped. Click to restart it.",
        command: "protosmith.restartServer",
      };
    }
    if (this.server === "starting") {
      return { text: "$(loading~spin) protosmith", tooltip: "protosmith: starting", command: "protosmith.showLog" };
    }
    const runs = [...this.runs.values()];
    if (runs.length === 0) {
      return { text: "$(beaker) protosmith", tooltip: "protosmith: idle. Click to show the last run.", command: "protosmith.showRunDetails" };
    }
    const current = runs[runs.length - 1];
    const percent = current.percentage === undefined ? "" : ` ${Math.round(current.percentage)}%`;
    const more = runs.length > 1 ? ` (+${runs.length - 1})` : "";
    const tooltipLines = runs.map((run) => `${run.title}${run.message ? ": " + run.message : ""}`);
    return {
      text: `$(sync~spin) ${current.title}${percent}${more}`,
      tooltip: tooltipLines.join("\n") + "\nClick to cancel.",
      command: "protosmith.cancelRun",
    };
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}

/** Render a tracker into a status bar item. */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly tracker: RunTracker) {
    this.item = vscode.window.createStatusBarItem("protosmith.status", vscode.StatusBarAlignment.Left, 10);
    this.item.name = "protosmith";
    tracker.onChange(() => this.render());
    this.render();
    this.item.show();
  }

  render(): void {
    const view = this.tracker.view();
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/**
 * A `handleWorkDoneProgress` middleware: feeds the tracker, then lets the client's own
 * progress notification handle the value.
 */
export function progressMiddleware(
  tracker: RunTracker,
): <P extends ProgressValue>(token: string | number, params: P, next: (token: string | number, params: P) => void) => void {
  return (token, params, next) => {
    tracker.progress(token, params);
    next(token, params);
  };
}
