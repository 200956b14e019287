const { exec, execFile } = require("child_process");
const fs = require("fs");

function listDirectory(req, res) {
  // Untrusted input reaches a shell: command injection.
  exec("ls -l " + req.query.dir, (error, stdout) => res.send(stdout));
}

function runSnippet(req) {
  return eval(req.body.code);
}

function readUpload(req) {
  return fs.readFileSync(req.query.name);
}

function safeList(res) {
  execFile("ls", ["-l", "/srv/static"], (error, stdout) => res.send(stdout));
}

module.exports = { listDirectory, runSnippet, readUpload, safeList };
