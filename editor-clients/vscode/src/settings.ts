/**
 * The extension's view of the `protosmith.*` settings.
 *
 * The server reads its own settings (backend, model, ...) through `workspace/configuration`,
 * which vscode-languageclient answers from the same section; this module only holds what the
 * client itself needs: where the server is, and which documents it serves.
 */
import * as os from "node:os";
import * as path from "node:path";

/** The configuration section shared by the client and the server. */
export const SECTION = "protosmith";

/** Settings only the client uses: the server never reads them. */
export const CLIENT_ONLY_SETTINGS = ["serverPath"] as const;

/**
 * The Settings editor query that shows `protosmith.serverPath` alone (the `@id:` filter
 * matches the key exactly), in whichever tab the editor opens: the setting's `window` scope
 * makes it settable in User, Remote and Workspace settings alike.
 */
export const SERVER_PATH_QUERY = "@id:protosmith.serverPath";

/** Settings whose change needs a new server process, not just a configuration push. */
export const RESTART_SETTINGS = ["protosmith.serverPath"] as const;

/** Languages whose files the server reviews on open and save, plus the spec itself. */
export const REVIEWED_LANGUAGES = [
  "python",
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "go",
  "rust",
  "java",
  "csharp",
  "c",
  "cpp",
] as const;

export interface DocumentFilterLike {
  scheme: string;
  language?: string;
  pattern?: string;
}

/** Documents the language client syncs to the server. */
export function documentSelector(): DocumentFilterLike[] {
  return [
    ...REVIEWED_LANGUAGES.map((language) => ({ scheme: "file", language })),
    { scheme: "file", pattern: "**/protosmith.toml" },
  ];
}

/** The subset of `vscode.WorkspaceConfiguration` this module reads. */
export interface ConfigurationLike {
  get<T>(key: string): T | undefined;
}

export interface ClientSettings {
  /** Explicit server executable, already expanded; empty when unset. */
  serverPath: string;
  /** Whether review commands also ask the LLM. */
  reviewLlm: boolean;
}

/** Read the client's settings with their defaults. */
export function readClientSettings(
  config: ConfigurationLike,
  workspaceFolder: string | undefined,
): ClientSettings {
  const raw = config.get<string>("serverPath") ?? "";
  return {
    serverPath: expandPath(raw.trim(), workspaceFolder, os.homedir()),
    reviewLlm: config.get<boolean>("review.llm") ?? false,
  };
}

/**
 * Expand `~` and `${workspaceFolder}` in a path setting, the two forms people write in
 * settings.json; a relative path is taken from the workspace folder.
 */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string): string {
  if (!value) {
    return "";
  }
  let expanded = value;
  if (workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(workspaceFolder);
  }
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = path.join(home, expanded.slice(1));
  }
  const looksLikePath = expanded.includes("/") || expanded.includes("\\");
  if (looksLikePath && !path.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = path.join(workspaceFolder, expanded);
  }
  return expanded;
}

/** The subset of `vscode.ConfigurationChangeEvent` this module reads. */
export interface ConfigurationChangeLike {
  affectsConfiguration(section: string): boolean;
}

/** Whether a settings change needs the server restarted. */
export function needsRestart(event: ConfigurationChangeLike): boolean {
  return RESTART_SETTINGS.some((key) => event.affectsConfiguration(key));
}
