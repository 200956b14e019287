/**
 * Activation: the output channel, the status bar, the palette commands, and the language
 * client's lifecycle (start on activation or first command, restart on demand or when
 * `protosmith.serverPath` changes).
 */
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";

import { Commands, errorText, type Executor, refineMiddleware } from "./commands";
import {
  commandLine,
  describeExit,
  type Failure,
  type FailurePhase,
  failureLog,
  failureMessage,
  onConnectionError,
  RESTART_WINDOW_MINUTES,
  RestartBudget,
  ServerProcess,
} from "./lifecycle";
import { interpreterFromApi, isFound, type PythonExtensionApi, resolveServer, type ServerCommand } from "./server";
import { documentSelector, needsRestart, readClientSettings, SECTION, SERVER_PATH_QUERY } from "./settings";
import { progressMiddleware, RunTracker, StatusBar } from "./status";

const PYTHON_EXTENSION = "ms-python.python";
/** How long a failed server gets to finish writing stderr and exit before it is described. */
const SETTLE_MS = 3000;
/** How long a server gets to leave after `exit` before it is terminated. */
const EXIT_GRACE_MS = 3000;

/**
 * The language client, with its own notifications silenced while its server is not running:
 * a server that fails at start makes the client report "couldn't create connection",
 * "Server initialization failed" and so on as forced notifications; the manager reports the
 * failure once instead, with what the process said. Everything is still logged.
 */
class ProtosmithClient extends LanguageClient {
  private quietWhen: (() => boolean) | undefined;

  setQuietWhen(quiet: () => boolean): void {
    this.quietWhen = quiet;
  }

  override error(message: string, data?: unknown, showNotification?: boolean | "force"): void {
    super.error(message, data, (this.quietWhen?.() ?? true) ? false : showNotification);
  }
}

/** One start of the server: its client, its process once spawned, and how far it got. */
class Attempt {
  /** Set right after construction: the client's options refer to this attempt. */
  client!: ProtosmithClient;
  process: ServerProcess | undefined;
  /** The LSP initialization completed. */
  started = false;
  /** The connection closed before `start()` returned. */
  closedEarly = false;
  /** The manager is stopping it on purpose. */
  stopping = false;
  /** Its failure was handled (reported or restarted); later events about it are ignored. */
  over = false;

  constructor(readonly server: ServerCommand) {}
}

class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private current: Attempt | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private budget = new RestartBudget();

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly tracker: RunTracker,
  ) {}

  /** The running client, starting it if needed; concurrent callers share one start. */
  ensure(phase: FailurePhase = "start"): Promise<LanguageClient | undefined> {
    if (this.client !== undefined && this.client.state !== State.Stopped) {
      return Promise.resolve(this.client);
    }
    this.starting ??= this.start(phase).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Restart on the user's request (or a new serverPath): the crash budget starts afresh. */
  async restart(): Promise<void> {
    this.output.info("Restarting the protosmith language server.");
    this.budget = new RestartBudget();
    await this.stop();
    await this.ensure();
  }

  async stop(): Promise<void> {
    const attempt = this.current;
    this.current = undefined;
    this.client = undefined;
    if (attempt !== undefined) {
      attempt.stopping = true;
      attempt.over = true;
      await this.release(attempt);
    }
  }

  dispose(): void {
    void this.stop();
  }

  private async start(phase: FailurePhase): Promise<LanguageClient | undefined> {
    this.tracker.setServerState("starting");
    const folder = vscode.workspace.workspaceFolders?.[0];
    const settings = readClientSettings(vscode.workspace.getConfiguration(SECTION), folder?.uri.fsPath);
    const remoteName = vscode.env.remoteName;
    const resolution = await resolveServer({
      serverPath: settings.serverPath,
      env: process.env,
      platform: process.platform,
      interpreter: () => this.selectedInterpreter(folder?.uri),
      remoteName,
    });
    if (!isFound(resolution)) {
      this.tracker.setServerState("notFound");
      this.output.error(resolution.message);
      this.output.error(`Looked for: ${resolution.tried.join("; ")}`);
      if (remoteName) {
        this.output.error(
          `This window's extension host runs on the remote host (${remoteName}); its PATH is the one that host's login shell sets.`,
        );
      }
      void this.offerFix(resolution.message);
      return undefined;
    }
    this.output.info(
      `Starting ${commandLine(resolution.command, resolution.args)} (from ${resolution.source}` +
        (remoteName ? `, on the remote host ${remoteName})` : ")") +
        ".",
    );
    const attempt = this.createAttempt(resolution, folder);
    this.current = attempt;
    try {
      await attempt.client.start();
    } catch (error) {
      if (!attempt.over) {
        await this.failed(attempt, phase, error);
      }
      return undefined;
    }
    if (attempt.closedEarly && !attempt.over) {
      await this.failed(attempt, phase, new Error("The server closed the connection right after initializing."));
      return undefined;
    }
    if (attempt.over) {
      return undefined; // stopped meanwhile
    }
    attempt.started = true;
    this.client = attempt.client;
    this.tracker.setServerState("running");
    return attempt.client;
  }

  private createAttempt(server: ServerCommand, folder: vscode.WorkspaceFolder | undefined): Attempt {
    const attempt = new Attempt(server);
    const serverOptions: ServerOptions = async () => {
      const spawned = await ServerProcess.start(server.command, server.args, { cwd: folder?.uri.fsPath, env: process.env });
      attempt.process = spawned;
      if (spawned.exit?.spawnError !== undefined) {
        throw new Error(`${spawned.line} ${describeExit(spawned.exit)}`);
      }
      return spawned.child;
    };
    const errorHandler: ErrorHandler = {
      error: (_error, _message, count) => {
        const decision = onConnectionError(attempt.started, count);
        if (decision === "terminate") {
          void attempt.process?.terminate(0);
        }
        return { action: decision === "shutdown" ? ErrorAction.Shutdown : ErrorAction.Continue, handled: true };
      },
      closed: () => {
        if (!attempt.started) {
          attempt.closedEarly = true; // `start()` rejects or returns, and `start` reports it
        } else if (!attempt.stopping && !attempt.over) {
          void this.crashed(attempt);
        }
        // The manager restarts (or not) with a new client; the client itself never does.
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      synchronize: { configurationSection: SECTION },
      middleware: { handleWorkDoneProgress: progressMiddleware(this.tracker), executeCommand: refineMiddleware() },
      errorHandler,
      // A server that cannot initialize once will not the second time: no retry, one report.
      initializationFailedHandler: () => false,
    };
    const client = new ProtosmithClient("protosmith", "protosmith", serverOptions, clientOptions);
    client.setQuietWhen(() => !attempt.started || attempt.over);
    client.onDidChangeState((event) => {
      if (this.current === attempt && !attempt.over && event.newState === State.Starting) {
        this.tracker.setServerState("starting");
      }
    });
    attempt.client = client;
    return attempt;
  }

  /** A server that never completed initialization: not restarted, reported once. */
  private async failed(attempt: Attempt, phase: FailurePhase, error: unknown): Promise<void> {
    attempt.over = true;
    const exit = await attempt.process?.settle(SETTLE_MS);
    const failure: Failure = {
      phase,
      commandLine: attempt.process?.line ?? commandLine(attempt.server.command, attempt.server.args),
      exit,
      stderr: attempt.process?.stderr.lines() ?? [],
      error: errorText(error),
    };
    this.output.error(failureLog(failure));
    if (this.current === attempt) {
      this.current = undefined;
    }
    this.tracker.setServerState("failed", phase === "start" ? `did not start (${describeExit(exit)})` : `stopped (${describeExit(exit)})`);
    await this.release(attempt);
    void this.offerFix(failureMessage(failure));
  }

  /** A server that had started and whose connection closed: restart within the budget. */
  private async crashed(attempt: Attempt): Promise<void> {
    attempt.over = true;
    if (this.client === attempt.client) {
      this.client = undefined;
    }
    const exit = await attempt.process?.settle(SETTLE_MS);
    const failure: Failure = {
      phase: "exit",
      commandLine: attempt.process?.line ?? commandLine(attempt.server.command, attempt.server.args),
      exit,
      stderr: attempt.process?.stderr.lines() ?? [],
    };
    this.output.error(failureLog(failure));
    await this.release(attempt);
    if (this.current !== attempt) {
      return; // stopped or restarted meanwhile
    }
    this.current = undefined;
    if (this.budget.take()) {
      this.output.warn(`Restarting the protosmith language server (restart ${this.budget.used} of at most ${this.budget.max} in ${RESTART_WINDOW_MINUTES} minutes).`);
      await this.ensure("restart");
      return;
    }
    this.tracker.setServerState("failed", `stopped (${describeExit(exit)}) and was not restarted`);
    void this.offerFix(failureMessage({ ...failure, phase: "crash", restarts: this.budget.used }));
  }

  /** Stop a client (`exit` if it is running) and make sure its process is gone. */
  private async release(attempt: Attempt): Promise<void> {
    try {
      await attempt.client.dispose(EXIT_GRACE_MS);
    } catch (error) {
      // A client whose start failed cannot shut down cleanly; its process is handled below.
      this.output.debug(`Stopping the client: ${errorText(error)}`);
    }
    await attempt.process?.terminate(EXIT_GRACE_MS);
  }

  private async selectedInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
    if (extension === undefined) {
      return undefined;
    }
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      return await interpreterFromApi(api, resource);
    } catch (error) {
      this.output.warn(`The Python extension did not report an interpreter: ${String(error)}`);
      return undefined;
    }
  }

  private async offerFix(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Show Log", "Open Settings");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", SERVER_PATH_QUERY);
    } else if (choice === "Show Log") {
      this.output.show();
    }
  }
}

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("protosmith", { log: true });
  const tracker = new RunTracker();
  const serverManager = new ServerManager(output, tracker);
  manager = serverManager;
  const commands = new Commands({
    client: async (): Promise<Executor | undefined> => serverManager.ensure(),
    restart: () => serverManager.restart(),
    showLog: () => output.show(),
    reviewLlm: () => vscode.workspace.getConfiguration(SECTION).get<boolean>("review.llm") ?? false,
  });
  context.subscriptions.push(
    output,
    new StatusBar(tracker),
    serverManager,
    ...commands.register(),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (needsRestart(event)) {
        await serverManager.restart();
      }
    }),
  );
  await serverManager.ensure();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}
