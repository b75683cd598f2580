// Local environment for `npm run dev`, the SDK tests and the benchmark: a response-signing key
// (generated, never committed), demo API credentials, and a migrated, seeded local D1.
// Plain ESM JavaScript so it runs on Node 20 without a build step.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, pbkdf2Sync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The demo data `seedSql` inserts: identifiers only; the API credentials are generated. */
export const DEMO = {
  keyProduct: "demo-key",
  userProduct: "demo-user",
  licenseKey: "DEMO-AAAA-BBBB-CCCC",
  username: "demo@example.com",
  password: "demo-password",
  hardwareId: "demo-device-1",
  feature: "exports",
  userFeature: "gpu_hours",
};

/** An RSA-2048 key pair in PEM (PKCS#8 private, SPKI public). */
export function generateSigningKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKey, publicKey };
}

/** A .dev.vars / env-file line holding the PEM with escaped newlines (dotenv expands "\n"). */
export function signingKeyVarLine(privateKeyPem) {
  return `LICENSE_SIGNING_KEY="${privateKeyPem.trim().replace(/\n/g, "\\n")}"\n`;
}

/** A management key (the Worker secret MANAGEMENT_KEY): 256 random bits, base64url. */
export function randomManagementKey() {
  return randomBytes(32).toString("base64url");
}

/** A .dev.vars / env-file line holding the management key. */
export function managementKeyVarLine(managementKey) {
  return `MANAGEMENT_KEY="${managementKey}"\n`;
}

export function randomCredentials() {
  return { apiKey: randomBytes(16).toString("hex"), sharedKey: randomBytes(24).toString("base64url") };
}

/** PBKDF2-SHA256 in the format the Worker verifies: pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>. */
export function hashPassword(password, iterations = 100_000) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

const q = (text) => `'${String(text).replace(/'/g, "''")}'`;

/**
 * Idempotent demo data: a key-based and a user-based product, each with a consumption license
 * (license-level allowance too) carrying a consumption feature, and an activated device.
 */
export function seedSql({ apiKey, sharedKey }) {
  return `
INSERT INTO api_keys (id, api_key, shared_key) VALUES (1, ${q(apiKey)}, ${q(sharedKey)})
  ON CONFLICT (id) DO UPDATE SET api_key = excluded.api_key, shared_key = excluded.shared_key, revoked = 0, read_only = 0;
INSERT OR IGNORE INTO products (id, short_code, name, authorization_method) VALUES
  (1, ${q(DEMO.keyProduct)}, 'Demo (key-based)', 'license-key'),
  (2, ${q(DEMO.userProduct)}, 'Demo (user-based)', 'user');
INSERT OR IGNORE INTO product_features (id, product_id, code, name, feature_type, max_consumption, allow_negative_consumptions, reset_consumption, consumption_period) VALUES
  (1, 1, ${q(DEMO.feature)}, 'Report exports', 'consumption', 1000, 1, 0, NULL),
  (2, 1, 'pro', 'Pro mode', 'activation', 0, 0, 0, NULL),
  (3, 2, ${q(DEMO.userFeature)}, 'GPU hours', 'consumption', 50, 0, 1, 'monthly');
INSERT OR IGNORE INTO licenses (id, product_id, license_key, enabled, active, max_activations, license_type, max_consumptions) VALUES
  (1, 1, ${q(DEMO.licenseKey)}, 1, 1, 5, 'consumption', 500),
  (2, 2, NULL, 1, 1, 5, 'consumption', 100);
INSERT OR IGNORE INTO license_users (id, license_id, username, password_hash) VALUES
  (1, 2, ${q(DEMO.username)}, ${q(hashPassword(DEMO.password))});
INSERT OR IGNORE INTO license_features (id, license_id, product_feature_id, allow_overages, max_overages) VALUES
  (1, 1, 1, 1, 100),
  (2, 1, 2, NULL, NULL),
  (3, 2, 3, NULL, NULL);
INSERT OR IGNORE INTO devices (id, license_id, hardware_id) VALUES
  (1, 1, ${q(DEMO.hardwareId)}),
  (2, 2, ${q(DEMO.hardwareId)});
`;
}

function wrangler(args, options = {}) {
  return execFileSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    stdio: options.quiet ? "pipe" : "inherit",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
}

/** Applies migrations/ to the local D1 and seeds it. `persistTo` isolates the state (tests). */
export function migrateAndSeed({ credentials, persistTo, quiet = false }) {
  const persist = persistTo ? ["--persist-to", persistTo] : [];
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { quiet });
  const seedDir = persistTo ?? join(ROOT, ".dev");
  mkdirSync(seedDir, { recursive: true });
  const seedFile = join(seedDir, "seed.sql");
  writeFileSync(seedFile, seedSql(credentials));
  wrangler(["d1", "execute", "DB", "--local", ...persist, "--file", seedFile], { quiet });
}

/**
 * The developer's own local state under .dev/ (git-ignored): created once, then reused, so the
 * printed credentials stay valid across restarts.
 */
export function ensureDevState() {
  const devDir = join(ROOT, ".dev");
  mkdirSync(devDir, { recursive: true });
  const devVars = join(ROOT, ".dev.vars");
  const publicKeyFile = join(devDir, "public-key.pem");
  if (!existsSync(devVars) || !readFileSync(devVars, "utf8").includes("LICENSE_SIGNING_KEY") || !existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateSigningKeyPair();
    writeFileSync(devVars, signingKeyVarLine(privateKey), { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKey);
  }
  // Added to an existing .dev.vars without touching the signing key already there.
  let managementKey = /^MANAGEMENT_KEY="([^"]+)"$/m.exec(readFileSync(devVars, "utf8"))?.[1];
  if (!managementKey) {
    managementKey = randomManagementKey();
    writeFileSync(devVars, managementKeyVarLine(managementKey), { flag: "a", mode: 0o600 });
  }
  const credentialsFile = join(devDir, "credentials.json");
  if (!existsSync(credentialsFile)) writeFileSync(credentialsFile, JSON.stringify(randomCredentials(), null, 2) + "\n", { mode: 0o600 });
  const credentials = JSON.parse(readFileSync(credentialsFile, "utf8"));
  return { credentials, publicKeyFile, managementKey };
}
