/**
 * "Protosmith: Show Run" as a read-only virtual document on the `protosmith-run:` scheme.
 *
 * An untitled document opened with content is dirty, so closing it asks to save a file nobody
 * wrote; a document served by a `TextDocumentContentProvider` is read-only and closes quietly.
 * Showing the same run again refreshes its document in place.
 */
import * as vscode from "vscode";

export const RUN_SCHEME = "protosmith-run";

/** A run as the server describes it (`protosmith.showRun`), as far as the view reads it. */
interface RunInfo {
  run_id?: string;
  status?: string;
  percentage?: number;
  [key: string]: unknown;
}

/** The text of a run's document: progress means something only while the run is running. */
export function runText(result: unknown): string {
  if (typeof result === "string") {
    return result;
  }
  if (result !== null && typeof result === "object" && !Array.isArray(result)) {
    const info = { ...(result as RunInfo) };
    if (info.status !== undefined && info.status !== "running") {
      delete info.percentage;
    }
    return JSON.stringify(info, null, 2) + "\n";
  }
  return JSON.stringify(result, null, 2) + "\n";
}

/** The document name of a run: its id, made safe for a path, and `.md` or `.json`. */
export function runUri(result: unknown): vscode.Uri {
  const id = typeof result === "object" && result !== null ? (result as RunInfo).run_id : undefined;
  const name = (id?.trim() || "run").replace(/[^A-Za-z0-9._-]+/g, "-");
  return vscode.Uri.parse(`${RUN_SCHEME}:${name}.${typeof result === "string" ? "md" : "json"}`);
}

export class RunDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  register(): vscode.Disposable[] {
    return [vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, this), this.changed];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  /** Store the run's text under its document's uri (refreshing an open one) and return it. */
  put(result: unknown): vscode.Uri {
    const uri = runUri(result);
    const key = uri.toString();
    const known = this.contents.has(key);
    this.contents.set(key, runText(result));
    if (known) {
      this.changed.fire(uri);
    }
    return uri;
  }
}
