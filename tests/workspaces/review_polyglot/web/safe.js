// Nothing here should be reported: literal commands, fixed paths, no dynamic code.
const { execFile } = require("child_process");
const fs = require("fs");

function version(callback) {
  execFile("node", ["--version"], callback);
}

function banner() {
  return fs.readFileSync("/etc/hostname", "utf8").trim();
}

module.exports = { version, banner };
