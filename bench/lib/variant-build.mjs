// Builds the service from src/ with some modules replaced (bench/variants/), for diagnostics.
// src/ itself is never changed. esbuild with the settings wrangler uses for Workers.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build as esbuild } from "esbuild";
import { ROOT } from "../../scripts/local-setup.mjs";
import { COMPATIBILITY_DATE } from "./targets.mjs";

/** esbuild plugin: imports that resolve to a listed src/ file get its replacement instead. */
function overridePlugin(overrides) {
  const map = new Map(Object.entries(overrides).map(([from, to]) => [resolve(ROOT, from), resolve(ROOT, to)]));
  const replacements = new Set(map.values());
  return {
    name: "bench-overrides",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (replacements.has(args.importer)) return undefined;
        const base = resolve(dirname(args.importer), args.path);
        for (const candidate of [base, `${base}.ts`, `${base}.js`]) if (map.has(candidate)) return { path: map.get(candidate) };
        return undefined;
      });
    },
  };
}

export async function buildVariant(variant, outDir) {
  mkdirSync(outDir, { recursive: true });
  await esbuild({
    entryPoints: [variant.entry ? resolve(ROOT, variant.entry) : join(ROOT, "src", "index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    outfile: join(outDir, "index.js"),
    plugins: [overridePlugin(variant.overrides)],
    logLevel: "error",
  });
  return { dir: outDir, script: join(outDir, "index.js"), compatibilityDate: COMPATIBILITY_DATE };
}
