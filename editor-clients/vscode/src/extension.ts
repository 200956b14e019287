/**
 * Activation: the output channel, the status bar, the palette commands, and the language
 * client's lifecycle (start on activation or first command, restart on demand or when
 * `protosmith.serverPath` changes).
 */
import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions, State } from "vscode-languageclient/node";

import { Commands, type Executor } from "./commands";
import { interpreterFromApi, isFound, type PythonExtensionApi, resolveServer, type ServerCommand } from "./server";
import { documentSelector, needsRestart, readClientSettings, SECTION } from "./settings";
import { progressMiddleware, RunTracker, StatusBar } from "./status";

const PYTHON_EXTENSION = "ms-python.python";

class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly tracker: RunTracker,
  ) {}

  /** The running client, starting it if needed; concurrent callers share one start. */
  ensure(): Promise<LanguageClient | undefined> {
    if (this.client !== undefined && this.client.state !== State.Stopped) {
      return Promise.resolve(this.client);
    }
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    this.output.info("Restarting the protosmith language server.");
    await this.stop();
    await this.ensure();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.stop();
      } catch (error) {
        this.output.error(`Stopping the server failed: ${String(error)}`);
      }
      await client.dispose();
    }
  }

  dispose(): void {
    void this.stop();
  }

  private async start(): Promise<LanguageClient | undefined> {
    this.tracker.setServerState("starting");
    const folder = vscode.workspace.workspaceFolders?.[0];
    const settings = readClientSettings(vscode.workspace.getConfiguration(SECTION), folder?.uri.fsPath);
    const resolution = await resolveServer({
      serverPath: settings.serverPath,
      env: process.env,
      platform: process.platform,
      interpreter: () => this.selectedInterpreter(folder?.uri),
    });
    if (!isFound(resolution)) {
      this.tracker.setServerState("notFound");
      this.output.error(resolution.message);
      this.output.error(`Looked for: ${resolution.tried.join("; ")}`);
      void this.offerFix(resolution.message);
      return undefined;
    }
    this.output.info(`Starting ${resolution.command} ${resolution.args.join(" ")} (from ${resolution.source}).`);
    const client = this.createClient(resolution, folder);
    client.onDidChangeState((event) => {
      this.tracker.setServerState(event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped");
    });
    try {
      await client.start();
    } catch (error) {
      this.tracker.setServerState("stopped");
      this.output.error(`The protosmith language server failed to start: ${String(error)}`);
      void this.offerFix(`The protosmith language server failed to start: ${String(error)}`);
      return undefined;
    }
    this.client = client;
    return client;
  }

  private createClient(server: ServerCommand, folder: vscode.WorkspaceFolder | undefined): LanguageClient {
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      options: { cwd: folder?.uri.fsPath, env: process.env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      outputChannel: this.output,
      synchronize: { configurationSection: SECTION },
      middleware: { handleWorkDoneProgress: progressMiddleware(this.tracker) },
    };
    return new LanguageClient("protosmith", "protosmith", serverOptions, clientOptions);
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
    const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Log");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "protosmith.serverPath");
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
