// The service under test, built and started as the bench runs it, with a migrated, seeded D1.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, generateSigningKeyPair, randomCredentials, randomManagementKey } from "../../scripts/local-setup.mjs";
import { migrateAndSeed, signer } from "./fixture.mjs";
import { buildService, serviceConfig, startService } from "./targets.mjs";

/**
 * The Worker's secrets as the bench sets them. Every name in .dev.vars.example must be here: a
 * secret added to the service without a bench value stops the bench at start, not mid-run.
 */
export function benchSecrets(keys) {
  const secrets = { LICENSE_SIGNING_KEY: keys.privateKey, MANAGEMENT_KEY: randomManagementKey() };
  const declared = [...readFileSync(join(ROOT, ".dev.vars.example"), "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
  const missing = declared.filter((name) => !(name in secrets));
  if (missing.length)
    throw new Error(`.dev.vars.example declares secrets the bench does not set: ${missing.join(", ")} (add them in bench/lib/service.mjs)`);
  return secrets;
}

/**
 * Builds (or takes `build`), starts and seeds the service in `workDir`.
 * @param {{ workDir: string, build?: { dir: string, main: string }, config?: ReturnType<typeof serviceConfig>, harness: import("../workers/harness.js").HarnessOptions,
 *   keys?: { privateKey: string, publicKey: string }, credentials?: { apiKey: string, sharedKey: string }, otherCredentials?: { apiKey: string, sharedKey: string },
 *   inspectorPort?: number, name?: string }} options
 */
export async function startSeededService({
  workDir,
  build,
  config = serviceConfig(),
  harness,
  keys = generateSigningKeyPair(),
  credentials = randomCredentials(),
  otherCredentials,
  inspectorPort,
  name = "service",
}) {
  build ??= buildService(join(workDir, "build"));
  const service = await startService({
    name,
    build,
    config,
    harness,
    secrets: benchSecrets(keys),
    persistDir: join(workDir, `state-${name}`),
    inspectorPort,
  });
  const db = /** @type {D1Database} */ (service.db);
  await migrateAndSeed(db, credentials, otherCredentials);
  return { service, db, keys, credentials, sign: signer(credentials), build };
}
