// Starts the real service in workerd (wrangler's programmatic dev server) with its own signing
// key, credentials and a freshly migrated and seeded D1 in a temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import {
  DEMO,
  ROOT,
  generateSigningKeyPair,
  managementKeyVarLine,
  migrateAndSeed,
  randomCredentials,
  randomManagementKey,
  signingKeyVarLine,
} from "../../scripts/local-setup.mjs";

export interface LocalService {
  /** e.g. http://127.0.0.1:54321/api/v4 */
  apiPath: string;
  baseUrl: string;
  publicKey: string;
  credentials: { apiKey: string; sharedKey: string };
  /** The management key (Authorization: Api-Key <key> on /api/v1, and the console's sign-in). */
  managementKey: string;
  demo: typeof DEMO;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startLocalService(): Promise<LocalService> {
  const stateDir = mkdtempSync(join(tmpdir(), "edge-license-api-"));
  const { privateKey, publicKey } = generateSigningKeyPair() as { privateKey: string; publicKey: string };
  const envFile = join(stateDir, "secrets.env");
  const managementKey = randomManagementKey() as string;
  writeFileSync(envFile, signingKeyVarLine(privateKey) + managementKeyVarLine(managementKey));
  const credentials = randomCredentials() as { apiKey: string; sharedKey: string };
  migrateAndSeed({ credentials, persistTo: stateDir, quiet: true });

  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    envFiles: [envFile],
    dev: {
      persist: stateDir,
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      watch: false,
      logLevel: "warn",
    },
  });
  const url = await worker.url;
  const baseUrl = url.origin;
  return {
    apiPath: `${baseUrl}/api/v4`,
    baseUrl,
    publicKey,
    credentials,
    managementKey,
    demo: DEMO,
    stateDir,
    async stop() {
      await worker.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
