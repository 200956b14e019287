/**
 * Finding the protosmith language server.
 *
 * Order: the `protosmith.serverPath` setting; the selected Python interpreter's `protosmith`
 * (through the ms-python extension API when that extension is installed); `protosmith` on PATH.
 * When nothing is found the caller gets a message that says what to install.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";

export type ServerSource = "setting" | "python" | "path";

export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerSource;
}

export interface ServerNotFound {
  message: string;
  tried: string[];
}

export type Resolution = ServerCommand | ServerNotFound;

export function isFound(resolution: Resolution): resolution is ServerCommand {
  return (resolution as ServerCommand).command !== undefined;
}

export interface ResolveOptions {
  /** The `protosmith.serverPath` setting, already expanded. */
  serverPath: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** The selected Python interpreter, if the Python extension knows one. */
  interpreter?: () => Promise<string | undefined>;
  /** Whether an interpreter can `import protosmith` (used when it has no console script). */
  canImport?: (python: string) => Promise<boolean>;
  /** `vscode.env.remoteName` when the extension host runs on a remote machine (SSH, WSL, ...). */
  remoteName?: string;
}

const SERVE_ARGS = ["serve"];

/** Whether `file` exists and is executable (on Windows: exists). */
export async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return false;
    }
    if (platform === "win32") {
      return true;
    }
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable names to look for: `protosmith`, plus PATHEXT variants on Windows. */
export function executableNames(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== "win32") {
    return [name];
  }
  const extensions = (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter(Boolean);
  return [name, ...extensions.map((ext) => name + ext.toLowerCase())];
}

/** The PATH the extension host searches (Windows spells it `Path`). */
export function searchPath(env: NodeJS.ProcessEnv): string {
  return env.PATH ?? env.Path ?? "";
}

/** Search PATH like a shell would. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const separator = platform === "win32" ? ";" : ":";
  for (const dir of searchPath(env).split(separator).filter(Boolean)) {
    for (const candidate of executableNames(name, env, platform)) {
      const full = path.join(dir, candidate);
      if (await isExecutable(full, platform)) {
        return full;
      }
    }
  }
  return undefined;
}

/** Where a virtual environment puts the `protosmith` console script next to its interpreter. */
export function scriptCandidates(interpreter: string, platform: NodeJS.Platform): string[] {
  const dir = path.dirname(interpreter);
  if (platform === "win32") {
    return [path.join(dir, "protosmith.exe"), path.join(dir, "Scripts", "protosmith.exe")];
  }
  return [path.join(dir, "protosmith")];
}

/** Run `python -c "import protosmith"` to see whether the interpreter has the package. */
export function pythonImportsProtosmith(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import protosmith"], { timeout: 15000 }, (error) => resolve(error === null));
  });
}

/** Find the server; never throws. */
export async function resolveServer(options: ResolveOptions): Promise<Resolution> {
  const tried: string[] = [];
  if (options.serverPath) {
    if (await isExecutable(options.serverPath, options.platform)) {
      return { command: options.serverPath, args: SERVE_ARGS, source: "setting" };
    }
    return {
      tried: [options.serverPath],
      message:
        `protosmith.serverPath is set to "${options.serverPath}", which is not an executable file` +
        (options.remoteName ? ` on the remote host (${options.remoteName})` : "") +
        ". Fix the setting or clear it to use the selected Python interpreter or PATH.",
    };
  }
  const interpreter = options.interpreter ? await options.interpreter() : undefined;
  if (interpreter) {
    for (const candidate of scriptCandidates(interpreter, options.platform)) {
      tried.push(candidate);
      if (await isExecutable(candidate, options.platform)) {
        return { command: candidate, args: SERVE_ARGS, source: "python" };
      }
    }
    const canImport = options.canImport ?? pythonImportsProtosmith;
    tried.push(`${interpreter} -m protosmith`);
    if (await canImport(interpreter)) {
      return { command: interpreter, args: ["-m", "protosmith", ...SERVE_ARGS], source: "python" };
    }
  }
  const pathValue = searchPath(options.env);
  tried.push(`protosmith on PATH=${pathValue || "(empty)"}`);
  const onPath = await findOnPath("protosmith", options.env, options.platform);
  if (onPath) {
    return { command: onPath, args: SERVE_ARGS, source: "path" };
  }
  return { tried, message: notFoundMessage(interpreter, options.remoteName) };
}

/**
 * The message shown when no server was found: what to install, and where. In a remote window
 * the extension host, and so the server, runs on the remote machine, with the PATH of that
 * machine's login shell: the install and the setting must name a program there.
 */
export function notFoundMessage(interpreter: string | undefined, remoteName?: string): string {
  const target = interpreter
    ? `the selected Python interpreter (${interpreter}): "${interpreter}" -m pip install protosmith`
    : "your Python environment: pip install protosmith (or pipx install protosmith)";
  const where = remoteName
    ? ` This window runs extensions on the remote host (${remoteName}): install it there, where PATH is the one its login shell sets.`
    : "";
  return (
    "The protosmith language server was not found. Install it into " +
    target +
    ", or set protosmith.serverPath to the protosmith executable." +
    where
  );
}

/** The parts of the ms-python extension API (`environments`) this module uses. */
export interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: unknown): { path: string } | undefined;
    resolveEnvironment(
      environment: { path: string } | string,
    ): Promise<{ executable: { uri?: { fsPath: string } } } | undefined>;
  };
}

/** The selected interpreter according to the Python extension, or undefined. */
export async function interpreterFromApi(
  api: PythonExtensionApi | undefined,
  resource: unknown,
): Promise<string | undefined> {
  const environments = api?.environments;
  if (!environments) {
    return undefined;
  }
  const active = environments.getActiveEnvironmentPath(resource);
  if (!active) {
    return undefined;
  }
  const resolved = await environments.resolveEnvironment(active);
  return resolved?.executable.uri?.fsPath ?? undefined;
}
