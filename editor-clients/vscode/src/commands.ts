/**
 * Palette commands: each gathers what the server command needs from the editor (spec, file,
 * selection, instruction), sends `workspace/executeCommand`, and tells the user the outcome.
 *
 * The server's own command ids (`protosmith.generate`, ...) are registered by the language
 * client for code actions; the palette commands here have their own ids so the two never clash.
 */
import * as path from "node:path";
import * as vscode from "vscode";

import { RunDocuments } from "./runView";

/** The one request the commands send; `LanguageClient` satisfies it. */
export interface Executor {
  sendRequest<R>(method: string, param: unknown): Promise<R>;
}

export interface CommandDeps {
  /** The running client, starting the server on first use; undefined when it cannot start. */
  client(): Promise<Executor | undefined>;
  restart(): Promise<void>;
  showLog(): void;
  /** Whether review commands ask the LLM too (`protosmith.review.llm`). */
  reviewLlm(): boolean;
}

/** The part of the server's run summary the client reads (`generate --json`). */
export interface RunSummary {
  run_id: string;
  status: string;
  output?: string;
  files?: string[];
  prompt_tokens?: number;
  completion_tokens?: number;
  cost_usd?: number;
  tests?: { ran?: number; passed?: number; failed?: number; not_run?: number };
  duration_s?: number;
  message?: string;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export const SPEC_FILE = "protosmith.toml";

/** Ids of the palette commands, as contributed in package.json. */
export const PALETTE_COMMANDS = [
  "protosmith.generatePrototype",
  "protosmith.reviewFile",
  "protosmith.reviewWorkspace",
  "protosmith.refineSelection",
  "protosmith.cancelRun",
  "protosmith.showRunDetails",
  "protosmith.restartServer",
  "protosmith.showLog",
] as const;

/** Send one protosmith server command (its argument list holds one object). */
export function executeServerCommand<R>(executor: Executor, command: string, args: object): Promise<R> {
  return executor.sendRequest<R>("workspace/executeCommand", { command, arguments: [args] });
}

/** The LSP range of a selection, or undefined for an empty one (meaning: the whole file). */
export function selectionRange(selection: vscode.Selection): LspRange | undefined {
  if (selection.isEmpty) {
    return undefined;
  }
  return {
    start: { line: selection.start.line, character: selection.start.character },
    end: { line: selection.end.line, character: selection.end.character },
  };
}

/**
 * One sentence about a finished run. A run that failed before it got an id (an invalid spec)
 * reads "protosmith generation failed", never "run  failed".
 */
export function describeRun(summary: RunSummary): string {
  const runId = summary.run_id?.trim();
  const parts: string[] = [runId ? `protosmith run ${runId} ${summary.status}` : `protosmith generation ${summary.status}`];
  const files = summary.files?.length ?? 0;
  parts.push(`${files} file${files === 1 ? "" : "s"}`);
  const tests = summary.tests;
  if (tests) {
    const notRun = tests.not_run ? `, ${tests.not_run} not run` : "";
    parts.push(`tests ${tests.passed ?? 0} passed, ${tests.failed ?? 0} failed${notRun}`);
  }
  const tokens = (summary.prompt_tokens ?? 0) + (summary.completion_tokens ?? 0);
  parts.push(`${tokens} tokens`);
  if (summary.cost_usd) {
    parts.push(`$${summary.cost_usd.toFixed(4)}`);
  }
  if (summary.duration_s !== undefined) {
    parts.push(`${summary.duration_s.toFixed(1)} s`);
  }
  const sentence = parts.join(", ") + ".";
  return summary.message ? `${sentence} ${summary.message}` : sentence;
}

/** The message of a failed request, for the user. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** Ask what to change (the selection, or the whole file); undefined when dismissed. */
export async function askInstruction(selection: boolean): Promise<string | undefined> {
  const instruction = await vscode.window.showInputBox({
    title: "protosmith: refine",
    prompt: selection ? "How should protosmith change the selection?" : "How should protosmith change this file?",
    placeHolder: "e.g. validate the input and raise ValueError on bad data",
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : "Say what to change."),
  });
  return instruction?.trim() || undefined;
}

type ExecuteCommandNext = (command: string, args: unknown[]) => unknown;

/**
 * An `executeCommand` middleware for the server's `protosmith.refine`: the "Refine selection
 * with instruction…" code action carries only the file and range, so the instruction is asked
 * here before the command reaches the server (sent without one, the server can only refuse).
 * Dismissing the input box sends nothing.
 */
export function refineMiddleware(): (command: string, args: unknown[], next: ExecuteCommandNext) => Promise<unknown> {
  return async (command, args, next) => {
    const target = args[0] as { uri?: unknown; range?: LspRange; instruction?: unknown } | undefined;
    if (command !== "protosmith.refine" || typeof target !== "object" || target === null) {
      return next(command, args);
    }
    if (typeof target.instruction === "string" && target.instruction.trim()) {
      return next(command, args);
    }
    const range = target.range;
    const selection = range !== undefined && (range.start.line !== range.end.line || range.start.character !== range.end.character);
    const instruction = await askInstruction(selection);
    if (instruction === undefined) {
      return undefined;
    }
    // The server refines the file as saved, so save it first.
    const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === target.uri);
    if (open?.isDirty) {
      await open.save();
    }
    return next(command, [{ ...target, instruction }, ...args.slice(1)]);
  };
}

export class Commands {
  /** The id of the last run this window started or looked at. */
  lastRunId: string | undefined;
  /** The read-only documents "Show Run" opens. */
  readonly runDocuments = new RunDocuments();

  constructor(private readonly deps: CommandDeps) {}

  /** Register every palette command. */
  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand("protosmith.generatePrototype", (uri?: vscode.Uri) => this.generate(uri)),
      vscode.commands.registerCommand("protosmith.reviewFile", (uri?: vscode.Uri) => this.reviewFile(uri)),
      vscode.commands.registerCommand("protosmith.reviewWorkspace", () => this.reviewWorkspace()),
      vscode.commands.registerCommand("protosmith.refineSelection", () => this.refineSelection()),
      vscode.commands.registerCommand("protosmith.cancelRun", () => this.cancel()),
      vscode.commands.registerCommand("protosmith.showRunDetails", () => this.showRun()),
      vscode.commands.registerCommand("protosmith.restartServer", () => this.deps.restart()),
      vscode.commands.registerCommand("protosmith.showLog", () => this.deps.showLog()),
      ...this.runDocuments.register(),
    ];
  }

  /** Generate a prototype from the given, active or only `protosmith.toml`. */
  async generate(uri?: vscode.Uri): Promise<RunSummary | undefined> {
    const spec = await this.pickSpec(uri);
    if (spec === undefined) {
      return undefined;
    }
    const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === spec.toString());
    if (open?.isDirty) {
      await open.save();
    }
    const summary = await this.run<RunSummary>("protosmith.generate", { spec: spec.toString() });
    if (summary === undefined) {
      return undefined;
    }
    if (summary.run_id?.trim()) {
      this.lastRunId = summary.run_id;
    }
    // The server announces every run it returns, success or failure, with a message of its
    // own (and offers the README): a second notification here would say it twice. The status
    // bar keeps the one-line summary; "Protosmith: Show Run" opens the run.
    vscode.window.setStatusBarMessage(describeRun(summary), 15000);
    return summary;
  }

  /** Review a file or folder (explorer) or the active editor's file. */
  async reviewFile(uri?: vscode.Uri): Promise<number | undefined> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (target === undefined) {
      await vscode.window.showWarningMessage("protosmith: open a file to review it.");
      return undefined;
    }
    return this.review(target, path.basename(target.fsPath));
  }

  /** Review a whole workspace folder. */
  async reviewWorkspace(): Promise<number | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      await vscode.window.showWarningMessage("protosmith: open a folder to review a workspace.");
      return undefined;
    }
    const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick();
    if (folder === undefined) {
      return undefined;
    }
    return this.review(folder.uri, folder.name);
  }

  /** Ask for an instruction and refine the selection (or the whole file when none). */
  async refineSelection(): Promise<unknown> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) {
      await vscode.window.showWarningMessage("protosmith: open a file and select the code to refine.");
      return undefined;
    }
    const instruction = await askInstruction(!editor.selection.isEmpty);
    if (instruction === undefined) {
      return undefined;
    }
    // The server refines the file as saved, so save it first.
    if (editor.document.isDirty) {
      await editor.document.save();
    }
    const args: { uri: string; instruction: string; range?: LspRange } = {
      uri: editor.document.uri.toString(),
      instruction,
    };
    const range = selectionRange(editor.selection);
    if (range !== undefined) {
      args.range = range;
    }
    const result = await this.run<{ applied?: boolean; message?: string } | null>("protosmith.refine", args);
    if (result === undefined) {
      return undefined;
    }
    // The server explains an edit it could not offer; the status bar says what happened.
    const applied = result === null || result.applied !== false;
    vscode.window.setStatusBarMessage(
      applied ? "protosmith: refinement applied (Undo reverts it)" : `protosmith: refinement not applied. ${result?.message ?? ""}`.trim(),
      10000,
    );
    return result;
  }

  /** Cancel every run in progress. */
  async cancel(): Promise<void> {
    const result = await this.run<unknown>("protosmith.cancel", {});
    if (result !== undefined) {
      vscode.window.setStatusBarMessage("protosmith: cancel requested", 5000);
    }
  }

  /** Show the last run (or the server's latest) as a read-only JSON document. */
  async showRun(): Promise<void> {
    const args = this.lastRunId ? { run_id: this.lastRunId } : {};
    const result = await this.run<unknown>("protosmith.showRun", args);
    if (result === undefined) {
      return;
    }
    const document = await vscode.workspace.openTextDocument(this.runDocuments.put(result));
    await vscode.window.showTextDocument(document, { preview: true });
  }

  private async review(target: vscode.Uri, label: string): Promise<number | undefined> {
    const result = await this.run<{ findings?: number }>("protosmith.review", {
      uri: target.toString(),
      llm: this.deps.reviewLlm(),
    });
    if (result === undefined) {
      return undefined;
    }
    const count = result?.findings ?? 0;
    const text = `protosmith: ${count} finding${count === 1 ? "" : "s"} in ${label}.`;
    if (count === 0) {
      vscode.window.setStatusBarMessage(text, 8000);
      return count;
    }
    const choice = await vscode.window.showInformationMessage(text, "Show Problems");
    if (choice === "Show Problems") {
      await vscode.commands.executeCommand("workbench.actions.view.problems");
    }
    return count;
  }

  private async pickSpec(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (uri !== undefined && path.basename(uri.fsPath) === SPEC_FILE) {
      return uri;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active !== undefined && path.basename(active.fsPath) === SPEC_FILE) {
      return active;
    }
    const found = await vscode.workspace.findFiles(`**/${SPEC_FILE}`, "**/node_modules/**", 50);
    if (found.length === 0) {
      await vscode.window.showWarningMessage(
        'protosmith: no protosmith.toml in this workspace. Draft one with `protosmith init "what to build"`.',
      );
      return undefined;
    }
    if (found.length === 1) {
      return found[0];
    }
    const items = found
      .map((spec) => ({ label: vscode.workspace.asRelativePath(spec), spec }))
      .sort((a, b) => a.label.localeCompare(b.label));
    const picked = await vscode.window.showQuickPick(items, { placeHolder: "Which spec should protosmith generate?" });
    return picked?.spec;
  }

  /** Send a server command; report a failure to the user and return undefined. */
  private async run<R>(command: string, args: object): Promise<R | undefined> {
    const client = await this.deps.client();
    if (client === undefined) {
      return undefined;
    }
    try {
      return await executeServerCommand<R>(client, command, args);
    } catch (error) {
      // The server's messages already start with "protosmith: "; say it once.
      const reason = errorText(error).replace(/^protosmith: /, "");
      const choice = await vscode.window.showErrorMessage(`protosmith: ${command} failed: ${reason}`, "Show Log");
      if (choice === "Show Log") {
        this.deps.showLog();
      }
      return undefined;
    }
  }
}
