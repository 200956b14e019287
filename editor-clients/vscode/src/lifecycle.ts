/**
 * The server process's life: spawning it so its exit code and stderr are known, deciding what
 * to do when its connection errors or closes, and the one message a user gets when it fails.
 *
 * vscode-languageclient's defaults restart any server that closes, up to five times, and show
 * a notification for every connection error, failed initialization and failed restart: a server
 * that cannot start at all (a broken install, a missing module) buried the user under a dozen
 * toasts that named neither the program nor its error. Here a server that never started is not
 * restarted, one that started and then crashed is restarted a bounded number of times, and the
 * user gets one message with the command line, its exit status and the tail of its stderr.
 *
 * Nothing here imports `vscode` or the language client, so the policy runs under node's test
 * runner against real processes; `extension.ts` maps the decisions onto the client's enums.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** How a server process ended; `spawnError` when it could not be run at all. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: string;
}

/** The last lines a process wrote to stderr, bounded in lines and characters. */
export class StderrTail {
  private readonly kept: string[] = [];
  private partial = "";

  constructor(
    private readonly maxLines = 40,
    private readonly maxLineChars = 500,
  ) {}

  push(chunk: string): void {
    const pieces = (this.partial + chunk).split(/\r?\n/);
    this.partial = pieces.pop() ?? "";
    if (this.partial.length > this.maxLineChars * 4) {
      this.partial = this.partial.slice(-this.maxLineChars * 4);
    }
    for (const piece of pieces) {
      this.keep(piece);
    }
  }

  /** The kept lines, the unterminated last one included; blank lines dropped. */
  lines(): string[] {
    const all = this.partial ? [...this.kept, this.partial] : [...this.kept];
    return all.map((line) => this.clip(line.trimEnd())).filter((line) => line.trim() !== "");
  }

  /** The last `count` non-blank lines. */
  last(count: number): string[] {
    const all = this.lines();
    return all.slice(Math.max(0, all.length - count));
  }

  private keep(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.maxLines) {
      this.kept.shift();
    }
  }

  private clip(line: string): string {
    return line.length > this.maxLineChars ? line.slice(0, this.maxLineChars - 1) + "…" : line;
  }
}

/** A command line as a user would type it in a POSIX shell (quoting only what needs it). */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/^[\w@%+=:,./~-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`)).join(" ");
}

export interface SpawnOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * One server process the extension spawned itself (rather than through the client's
 * `Executable`), so that its exit status and stderr are in hand when it fails.
 */
export class ServerProcess {
  readonly stderr = new StderrTail();
  readonly line: string;
  readonly exited: Promise<ServerExit>;
  private ended: ServerExit | undefined;

  private constructor(
    readonly child: ChildProcess,
    command: string,
    args: readonly string[],
  ) {
    this.line = commandLine(command, args);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      // 'close' comes after 'exit' once stdio is drained, so the stderr tail is complete.
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        this.ended ??= { code, signal };
        resolve(this.ended);
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          this.ended = { code: null, signal: null, spawnError: error.code ? `${error.code}: ${error.message}` : error.message };
          resolve(this.ended);
        }
      });
    });
  }

  /**
   * Spawn `command args`; resolves once it runs or could not be run (then `exit.spawnError`
   * says why: ENOENT, EACCES...).
   */
  static async start(command: string, args: readonly string[], options: SpawnOptions): Promise<ServerProcess> {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    const server = new ServerProcess(child, command, args);
    await Promise.race([new Promise<void>((resolve) => child.once("spawn", () => resolve())), server.exited]);
    return server;
  }

  /** How it ended, if it has. */
  get exit(): ServerExit | undefined {
    return this.ended;
  }

  get running(): boolean {
    return this.ended === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Wait up to `ms` for the process to end; undefined when it is still running. */
  async settle(ms: number): Promise<ServerExit | undefined> {
    if (this.ended !== undefined) {
      return this.ended;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Make sure the process is gone: it gets `graceMs` to leave after `exit`, then SIGTERM, then
   * SIGKILL. The client does not do this for a process it did not spawn itself.
   */
  async terminate(graceMs: number): Promise<void> {
    if ((await this.settle(graceMs)) !== undefined) {
      return;
    }
    this.child.kill("SIGTERM");
    if ((await this.settle(2000)) !== undefined) {
      return;
    }
    this.child.kill("SIGKILL");
    await this.settle(2000);
  }
}

/** How an exit reads in a sentence: "exited with code 1", "was killed by SIGSEGV". */
export function describeExit(exit: ServerExit | undefined): string {
  if (exit === undefined) {
    return "is running but did not complete the LSP initialization";
  }
  if (exit.spawnError !== undefined) {
    return `could not be run (${exit.spawnError})`;
  }
  if (exit.signal !== null) {
    return `was killed by ${exit.signal}`;
  }
  return `exited with code ${exit.code ?? "unknown"}`;
}

/**
 * `start`: never initialized; `restart`: a restart after a crash never initialized; `exit`: a
 * running server stopped (it will be restarted); `crash`: it stopped once too often.
 */
export type FailurePhase = "start" | "restart" | "exit" | "crash";

export interface Failure {
  phase: FailurePhase;
  commandLine: string;
  exit: ServerExit | undefined;
  stderr: string[];
  /** For a crash: how many times it was restarted before giving up. */
  restarts?: number;
  /** The client's own error, when the process gave no better reason (e.g. still running). */
  error?: string;
}

/** Lines of stderr a notification shows; the log keeps all of them. */
export const MESSAGE_STDERR_LINES = 3;
const MESSAGE_STDERR_CHARS = 600;

/** The one notification about a server that failed: what ran, how it ended, its last words. */
export function failureMessage(failure: Failure): string {
  const head =
    failure.phase === "crash"
      ? `The protosmith language server stopped again after ${failure.restarts ?? 0} restart${failure.restarts === 1 ? "" : "s"} in ${RESTART_WINDOW_MINUTES} minutes and was not restarted: `
      : failure.phase === "restart"
        ? "The protosmith language server stopped, and restarting it failed: "
        : failure.phase === "exit"
          ? "The protosmith language server stopped: "
          : "The protosmith language server did not start: ";
  let text = `${head}"${failure.commandLine}" ${describeExit(failure.exit)}.`;
  const tail = failure.stderr.slice(-MESSAGE_STDERR_LINES).join(" ⏎ ");
  if (tail) {
    const clipped = tail.length > MESSAGE_STDERR_CHARS ? "…" + tail.slice(tail.length - MESSAGE_STDERR_CHARS + 1) : tail;
    text += ` Its stderr ends with: ${clipped}`;
  } else if (failure.error) {
    text += ` ${failure.error}`;
  }
  return text;
}

/** The same failure for the log: every kept stderr line, one per line. */
export function failureLog(failure: Failure): string {
  const lines = [failureMessage({ ...failure, stderr: [], error: undefined })];
  if (failure.error) {
    lines.push(`Client error: ${failure.error}`);
  }
  if (failure.stderr.length > 0) {
    lines.push("Last lines of its stderr:", ...failure.stderr.map((line) => `  ${line}`));
  } else {
    lines.push("It wrote nothing to stderr.");
  }
  return lines.join("\n");
}

/** The window in which a crashed server's restarts are counted. */
export const RESTART_WINDOW_MINUTES = 3;

/** Restarts allowed to a server that had started: at most `max` within `windowMs`. */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(
    readonly max = 3,
    private readonly windowMs = RESTART_WINDOW_MINUTES * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take one restart if the budget allows it. */
  take(): boolean {
    const now = this.now();
    while (this.times.length > 0 && now - this.times[0] > this.windowMs) {
      this.times.shift();
    }
    if (this.times.length >= this.max) {
      return false;
    }
    this.times.push(now);
    return true;
  }

  /** Restarts taken within the window. */
  get used(): number {
    return this.times.length;
  }
}

export type ErrorDecision = "continue" | "shutdown" | "terminate";

/**
 * What to do on a connection error. While the server starts, the client cannot stop itself
 * (it is not running yet), so the process is terminated instead: an error then means it died
 * (EPIPE) or is not speaking LSP, and either way the start fails and is reported once. A
 * running server gets three errors in a row, like the client's default, before it is shut
 * down. The client only logs the errors; the manager tells the user, once.
 */
export function onConnectionError(started: boolean, count: number | undefined): ErrorDecision {
  if (!started) {
    return "terminate";
  }
  return count !== undefined && count <= 3 ? "continue" : "shutdown";
}
