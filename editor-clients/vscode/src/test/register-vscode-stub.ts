/**
 * Preloaded by `npm test` (`node --require`): makes `require("vscode")` resolve to the stub,
 * since the real module exists only inside a running VS Code.
 */
import Module from "node:module";
import * as path from "node:path";

type Resolver = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolver };
const original = moduleWithResolver._resolveFilename;
const stub = path.join(__dirname, "vscode-stub.js");

moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === "vscode" ? stub : original.call(this, request, ...rest);
};
