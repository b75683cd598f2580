#!/usr/bin/env node
// Installs the bench's own dependencies (bench/package-lock.json) into bench/node_modules, once:
// `npm run bench` and `npm run bench:check` at the repository root call it first. It runs
// `npm ci` in bench/ when bench/node_modules is missing or was installed from another lock, and
// does nothing otherwise, so repeated runs need no network.
//
// The bench runs the product as the product is installed: wrangler, miniflare and workerd,
// TypeScript, vitest, Prettier and the official SDK come from the root's node_modules (Node finds
// them by walking up from bench/). The root install must therefore be there first.
// Node built-ins only: this runs before anything of the bench is installed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
// Written after a successful install: the hash of the lock it installed.
const STAMP = join(BENCH, "node_modules", ".installed-from-lock");

if (!existsSync(join(ROOT, "node_modules", "wrangler", "package.json"))) {
  console.error("bench: the product is not installed; run `npm ci` at the repository root first");
  process.exit(1);
}

const lockHash = createHash("sha256")
  .update(readFileSync(join(BENCH, "package-lock.json")))
  .digest("hex");
const installed = existsSync(STAMP) ? readFileSync(STAMP, "utf8").trim() : null;
if (installed !== lockHash) {
  console.log("bench: installing the bench's dependencies (npm ci in bench/)");
  // The npm that runs this script (npm_execpath), so no shell lookup of `npm` is needed (npm.cmd on Windows).
  const npm = process.env.npm_execpath;
  const args = ["ci", "--no-audit", "--no-fund"];
  if (npm) execFileSync(process.execPath, [npm, ...args], { cwd: BENCH, stdio: "inherit" });
  else execFileSync("npm", args, { cwd: BENCH, stdio: "inherit", shell: process.platform === "win32" });
  writeFileSync(STAMP, `${lockHash}\n`);
}
