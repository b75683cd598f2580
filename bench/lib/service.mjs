// The service under test, built and started as the benchmark runs it, with a migrated, seeded D1.
import { join } from "node:path";
import { generateSigningKeyPair, randomCredentials } from "../../scripts/local-setup.mjs";
import { migrateAndSeed, signer } from "./fixture.mjs";
import { buildService, startWorker } from "./targets.mjs";

/** Builds (or takes `build`), starts and seeds the service in `workDir`. */
export async function startSeededService({
  workDir,
  build,
  keys = generateSigningKeyPair(),
  credentials = randomCredentials(),
  inspectorPort,
  name = "service",
}) {
  build ??= buildService(join(workDir, "build"));
  const service = await startWorker({
    name,
    scriptPath: build.script,
    modulesRoot: build.dir,
    compatibilityDate: build.compatibilityDate,
    bindings: { LICENSE_SIGNING_KEY: keys.privateKey },
    d1: true,
    durableObjects: true,
    persistDir: join(workDir, `state-${name}`),
    inspectorPort,
    probe: true,
  });
  const db = await service.mf.getD1Database("DB", name);
  await migrateAndSeed(db, credentials);
  return { service, db, keys, credentials, sign: signer(credentials), build };
}
