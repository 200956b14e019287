/**
 * A small stand-in for the `vscode` module, enough for the extension's logic to run under
 * node's test runner: it records what the extension shows and answers prompts from queues
 * the tests fill. `register-vscode-stub.ts` makes `require("vscode")` load this file.
 */
import * as path from "node:path";

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(start: Position, end: Position) {
    this.start = start;
    this.end = end;
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    const forward = anchor.line < active.line || (anchor.line === active.line && anchor.character <= active.character);
    super(forward ? anchor : active, forward ? active : anchor);
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri("file", path.resolve(fsPath));
  }
  /** `scheme:path` URIs such as `protosmith-run:r1.json` (file URIs: use `file`). */
  static parse(value: string): Uri {
    const colon = value.indexOf(":");
    return new Uri(value.slice(0, colon), value.slice(colon + 1));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    if (this.scheme !== "file") {
      return `${this.scheme}:${this.fsPath}`;
    }
    return `${this.scheme}://${this.fsPath.split(path.sep).map(encodeURIComponent).join("/")}`;
  }
}

/** VS Code's event emitter: `event` subscribes, `fire` calls every listener. */
export class EventEmitter<T> {
  private listeners: Array<(value: T) => void> = [];
  disposed = false;
  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    });
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

interface ContentProvider {
  onDidChange?: (listener: (uri: Uri) => void) => Disposable;
  provideTextDocumentContent(uri: Uri): string;
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class Disposable {
  constructor(private readonly callback: () => void) {}
  dispose(): void {
    this.callback();
  }
}

export interface StubTextDocument {
  uri: Uri;
  isDirty: boolean;
  saved: number;
  language?: string;
  content?: string;
  /** Served by a content provider: VS Code shows it read-only and never asks to save it. */
  readOnly?: boolean;
  save(): Promise<boolean>;
}

export function textDocument(uri: Uri, isDirty = false): StubTextDocument {
  return {
    uri,
    isDirty,
    saved: 0,
    save(): Promise<boolean> {
      this.saved += 1;
      this.isDirty = false;
      return Promise.resolve(true);
    },
  };
}

export interface StubStatusBarItem {
  id: string;
  name?: string;
  text: string;
  tooltip?: string;
  command?: string;
  visible: boolean;
  show(): void;
  dispose(): void;
}

/** Everything the stub recorded, and the queued answers to prompts. */
export const recorded = {
  messages: [] as Array<{ level: "info" | "warning" | "error"; text: string; items: string[] }>,
  statusMessages: [] as string[],
  statusItems: [] as StubStatusBarItem[],
  executed: [] as Array<{ command: string; args: unknown[] }>,
  shownDocuments: [] as StubTextDocument[],
  registered: new Map<string, (...args: unknown[]) => unknown>(),
  inputBoxes: [] as Array<{ prompt?: string }>,
  contentProviders: new Map<string, ContentProvider>(),
};

export const answers = {
  messageChoice: [] as Array<string | undefined>,
  inputBox: [] as Array<string | undefined>,
  quickPick: [] as number[],
};

export const state = {
  activeTextEditor: undefined as { document: StubTextDocument; selection: Selection } | undefined,
  textDocuments: [] as StubTextDocument[],
  workspaceFolders: undefined as Array<{ uri: Uri; name: string; index: number }> | undefined,
  files: [] as Uri[],
  configuration: {} as Record<string, unknown>,
};

/** Forget everything between tests. */
export function reset(): void {
  recorded.messages.length = 0;
  recorded.statusMessages.length = 0;
  recorded.statusItems.length = 0;
  recorded.executed.length = 0;
  recorded.shownDocuments.length = 0;
  recorded.registered.clear();
  recorded.inputBoxes.length = 0;
  recorded.contentProviders.clear();
  answers.messageChoice.length = 0;
  answers.inputBox.length = 0;
  answers.quickPick.length = 0;
  state.activeTextEditor = undefined;
  state.textDocuments = [];
  state.workspaceFolders = undefined;
  state.files = [];
  state.configuration = {};
}

function message(level: "info" | "warning" | "error") {
  return (text: string, ...items: string[]): Promise<string | undefined> => {
    recorded.messages.push({ level, text, items });
    return Promise.resolve(answers.messageChoice.shift());
  };
}

export const window = {
  get activeTextEditor() {
    return state.activeTextEditor;
  },
  showInformationMessage: message("info"),
  showWarningMessage: message("warning"),
  showErrorMessage: message("error"),
  setStatusBarMessage(text: string): Disposable {
    recorded.statusMessages.push(text);
    return new Disposable(() => undefined);
  },
  showInputBox(options: { prompt?: string; validateInput?: (value: string) => string | undefined }) {
    recorded.inputBoxes.push({ prompt: options.prompt });
    return Promise.resolve(answers.inputBox.shift());
  },
  showQuickPick<T>(items: T[]): Promise<T | undefined> {
    const index = answers.quickPick.shift();
    return Promise.resolve(index === undefined ? undefined : items[index]);
  },
  showWorkspaceFolderPick() {
    const index = answers.quickPick.shift();
    return Promise.resolve(index === undefined ? undefined : state.workspaceFolders?.[index]);
  },
  showTextDocument(document: StubTextDocument) {
    recorded.shownDocuments.push(document);
    return Promise.resolve({ document });
  },
  createStatusBarItem(id: string): StubStatusBarItem {
    const item: StubStatusBarItem = {
      id,
      text: "",
      visible: false,
      show() {
        this.visible = true;
      },
      dispose() {
        this.visible = false;
      },
    };
    recorded.statusItems.push(item);
    return item;
  },
};

export const workspace = {
  get textDocuments() {
    return state.textDocuments;
  },
  get workspaceFolders() {
    return state.workspaceFolders;
  },
  findFiles(): Promise<Uri[]> {
    return Promise.resolve([...state.files]);
  },
  asRelativePath(uri: Uri): string {
    const root = state.workspaceFolders?.[0]?.uri.fsPath;
    return root ? path.relative(root, uri.fsPath) : uri.fsPath;
  },
  /** An untitled document with content (dirty, as in VS Code), or a provider's document. */
  openTextDocument(options: Uri | { language: string; content: string }): Promise<StubTextDocument> {
    if (options instanceof Uri) {
      const provider = recorded.contentProviders.get(options.scheme);
      if (provider === undefined) {
        return Promise.reject(new Error(`cannot open ${options.toString()}`));
      }
      const document = textDocument(options);
      document.readOnly = true;
      document.language = { ".json": "json", ".md": "markdown" }[path.extname(options.path)] ?? "plaintext";
      document.content = provider.provideTextDocumentContent(options);
      provider.onDidChange?.((changed) => {
        if (changed.toString() === options.toString()) {
          document.content = provider.provideTextDocumentContent(options);
        }
      });
      return Promise.resolve(document);
    }
    const document = textDocument(Uri.file("/untitled"), true);
    document.language = options.language;
    document.content = options.content;
    return Promise.resolve(document);
  },
  registerTextDocumentContentProvider(scheme: string, provider: ContentProvider): Disposable {
    if (recorded.contentProviders.has(scheme)) {
      throw new Error(`a content provider for '${scheme}' is already registered`);
    }
    recorded.contentProviders.set(scheme, provider);
    return new Disposable(() => recorded.contentProviders.delete(scheme));
  },
  getConfiguration() {
    return {
      get<T>(key: string): T | undefined {
        return state.configuration[key] as T | undefined;
      },
    };
  },
};

export const commands = {
  registerCommand(command: string, callback: (...args: unknown[]) => unknown): Disposable {
    if (recorded.registered.has(command)) {
      throw new Error(`command '${command}' already exists`);
    }
    recorded.registered.set(command, callback);
    return new Disposable(() => recorded.registered.delete(command));
  },
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    recorded.executed.push({ command, args });
    return Promise.resolve(undefined);
  },
};
