// Builds the vendor console: console/main.tsx (Preact, uPlot and their CSS) bundled by esbuild into
// public/console/app.js and app.css, which Workers static assets serve beside index.html. The files
// are git-ignored build output. wrangler.toml's [build] command runs this before `wrangler dev`,
// `wrangler deploy` (so `npm run dev`, `npm run deploy`, the deploy dry-run) and wrangler's
// programmatic dev server (`unstable_startWorker`, which the Node and browser tests start), so a
// fresh clone needs nothing else (docs/architecture.md "The console").
//
// Each file is written to a temporary name and renamed into place, so two services starting at
// once (the migration test starts two) never serve a half-written bundle.
// Plain ESM JavaScript so it runs on Node 20 without a build step.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, "public", "console");

export async function buildConsole() {
  const result = await build({
    entryPoints: { app: join(ROOT, "console", "main.tsx") },
    bundle: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    sourcemap: "linked",
    legalComments: "linked",
    outdir: OUT_DIR,
    write: false,
    logLevel: "warning",
  });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return result.outputFiles.map((file) => file.path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildConsole();
