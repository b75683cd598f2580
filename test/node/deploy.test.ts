// `npm run deploy` (scripts/deploy.mjs) against fake-wrangler.mjs: a Cloudflare account kept in a
// temp folder, with the real wrangler's local D1 as its database. What is checked: which wrangler
// calls each run makes and in which order, that migrations reach the database before the code
// deploys, which secrets are set (never one that exists), how many License API keys exist after a
// first run, a second run, and a run that stopped halfway then ran again.
import { spawn } from "node:child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const migrationCount = readdirSync(join(root, "migrations")).filter((file) => file.endsWith(".sql")).length;
const folders: string[] = [];

interface Account {
  loggedIn: boolean;
  accounts: Array<{ id: string; name: string }>;
  databases: string[];
  queues: string[];
  secrets: Record<string, string>;
  deploys: Array<{ migrationsApplied: number; provisioned: string[]; secrets: string[] }>;
}

/** A Cloudflare account for the fake: a fresh one unless told otherwise. */
function newAccount(overrides: Partial<Account> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
  folders.push(dir);
  const account: Account = {
    loggedIn: true,
    accounts: [{ id: "acc1", name: "Vendor Inc" }],
    databases: [],
    queues: [],
    secrets: {},
    deploys: [],
    ...overrides,
  };
  writeFileSync(join(dir, "account.json"), JSON.stringify(account));
  writeFileSync(join(dir, "calls.jsonl"), "");
  return dir;
}

const account = (dir: string): Account => JSON.parse(readFileSync(join(dir, "account.json"), "utf8"));

/** The wrangler calls made so far, as command lines (SQL cut to its first words). */
function calls(dir: string): Array<{ line: string; accountId: string | null }> {
  return readFileSync(join(dir, "calls.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((text) => JSON.parse(text) as { args: string[]; accountId: string | null })
    .map(({ args, accountId }) => ({ line: args.map((arg) => (arg.includes(" ") ? `${arg.split(" ")[0]} …` : arg)).join(" "), accountId }));
}
const lines = (dir: string, from = 0) =>
  calls(dir)
    .slice(from)
    .map((call) => call.line);

/** The License API keys in the account's (real, local) D1 database. */
function apiKeys(dir: string): Array<{ api_key: string; shared_key: string }> {
  const objects = join(dir, "d1", "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(objects).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  const db = new DatabaseSync(join(objects, file!));
  try {
    return db.prepare("SELECT api_key, shared_key FROM api_keys ORDER BY id").all() as Array<{ api_key: string; shared_key: string }>;
  } finally {
    db.close();
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDeploy(env: Record<string, string | undefined>): Promise<Run> {
  // Only what the test gives: no credentials or account of the machine that runs it.
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(CLOUDFLARE_|FAKE_WRANGLER_|DEPLOY_)/.test(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "scripts", "deploy.mjs")], {
      cwd: root,
      env: { ...childEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The script with the fake in wrangler's place, its saved keys in the account's folder. */
const deployWithFake = (dir: string, env: Record<string, string> = {}) =>
  runDeploy({
    DEPLOY_WRANGLER: join(import.meta.dirname, "fake-wrangler.mjs"),
    FAKE_WRANGLER_DIR: dir,
    DEPLOY_KEYS_DIR: join(dir, "keys"),
    ...env,
  });

const keysDir = (dir: string, accountId = "acc1") => join(dir, "keys", accountId, "edge-license-api");
const saved = (dir: string, file: string, accountId = "acc1") => readFileSync(join(keysDir(dir, accountId), file), "utf8");
const mode = (dir: string, file: string) => statSync(join(keysDir(dir), file)).mode & 0o777;

/** No JavaScript stack trace in what the vendor sees. */
const STACK_LINE = /^\s+at /m;

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("npm run deploy", () => {
  it("on a fresh account creates what deploy cannot, migrates before the code deploys, sets both secrets and one API key; a second run changes nothing", async () => {
    const dir = newAccount();
    const first = await deployWithFake(dir);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(lines(dir)).toEqual([
      "whoami --json",
      "d1 list --json",
      "d1 create edge-license-api",
      "queues info edge-license-audit-dlq",
      "queues create edge-license-audit-dlq",
      "queues info edge-license-webhooks-dlq",
      "queues create edge-license-webhooks-dlq",
      "d1 migrations apply DB --remote",
      "deploy",
      "secret list --format json",
      "secret put LICENSE_SIGNING_KEY",
      "secret put MANAGEMENT_KEY",
      "d1 execute DB --remote --json --command SELECT …",
      "d1 execute DB --remote --json --command INSERT …",
    ]);
    // Every call after whoami goes to the one account the login reaches.
    expect(
      calls(dir)
        .slice(1)
        .every((call) => call.accountId === "acc1"),
    ).toBe(true);
    // wrangler deploy provisioned the audit queue itself, found the database by name, and the
    // database had every migration before the code went out.
    const afterFirst = account(dir);
    expect(afterFirst.deploys).toEqual([
      { migrationsApplied: migrationCount, provisioned: ["edge-license-audit", "edge-license-webhooks"], secrets: [] },
    ]);
    expect(afterFirst.queues.sort()).toEqual([
      "edge-license-audit",
      "edge-license-audit-dlq",
      "edge-license-webhooks",
      "edge-license-webhooks-dlq",
    ]);
    expect(afterFirst.databases).toEqual(["edge-license-api"]);

    // The signing key: RSA-2048, PKCS#8, saved (0600) and set; its public half saved and printed.
    const privatePem = saved(dir, "signing-key.pem");
    expect(afterFirst.secrets.LICENSE_SIGNING_KEY).toBe(privatePem.trim());
    expect(privatePem).toContain("-----BEGIN PRIVATE KEY-----");
    const privateKey = createPrivateKey(privatePem);
    expect(privateKey.asymmetricKeyType).toBe("rsa");
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const publicPem = saved(dir, "public-key.pem");
    expect(publicPem).toBe(createPublicKey(privateKey).export({ type: "spki", format: "pem" }));
    expect(first.stdout).toContain(publicPem.trim());
    expect(first.stdout).toContain(join(keysDir(dir), "public-key.pem"));
    expect(first.stdout).toContain("https://edge-license-api.vendor.workers.dev/api/v4/public_key");

    const managementKey = saved(dir, "management-key.txt").trim();
    expect(managementKey.length).toBeGreaterThanOrEqual(16);
    expect(afterFirst.secrets.MANAGEMENT_KEY).toBe(managementKey);
    expect(first.stdout).toContain(managementKey);

    const credentials = JSON.parse(saved(dir, "license-api-key.json")) as { apiKey: string; sharedKey: string };
    expect(apiKeys(dir)).toEqual([{ api_key: credentials.apiKey, shared_key: credentials.sharedKey }]);
    expect(first.stdout).toContain(credentials.apiKey);
    expect(first.stdout).toContain(credentials.sharedKey);
    for (const file of ["signing-key.pem", "management-key.txt", "license-api-key.json"]) expect(mode(dir, file)).toBe(0o600);

    const before = calls(dir).length;
    const second = await deployWithFake(dir);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(lines(dir, before)).toEqual([
      "whoami --json",
      "d1 list --json",
      "queues info edge-license-audit-dlq",
      "queues info edge-license-webhooks-dlq",
      "d1 migrations apply DB --remote",
      "deploy",
      "secret list --format json",
      "d1 execute DB --remote --json --command SELECT …",
    ]);
    const afterSecond = account(dir);
    expect(afterSecond.secrets).toEqual(afterFirst.secrets);
    expect(afterSecond.deploys[1]).toEqual({
      migrationsApplied: migrationCount,
      provisioned: [],
      secrets: ["LICENSE_SIGNING_KEY", "MANAGEMENT_KEY"],
    });
    expect(apiKeys(dir)).toHaveLength(1);
    expect(second.stdout).toContain("LICENSE_SIGNING_KEY was set before: kept");
    expect(second.stdout).toContain("MANAGEMENT_KEY was set before: kept");
    expect(second.stdout).toContain(`the first one, created before: ${join(keysDir(dir), "license-api-key.json")}`);
    expect(second.stdout).not.toContain(credentials.sharedKey);
    expect(second.stdout).not.toContain(managementKey);
  }, 240_000);

  it("stopped halfway (a declined deploy, then a failed secret upload), completes on the next run with the values it saved, nothing twice", async () => {
    const dir = newAccount();
    const declined = await deployWithFake(dir, { FAKE_WRANGLER_DECLINE_DEPLOY: "1" });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("`wrangler deploy` ended without deploying a version");
    expect(lines(dir).at(-1)).toBe("deploy");
    expect(account(dir).secrets).toEqual({});

    const failed = await deployWithFake(dir, { FAKE_WRANGLER_FAIL: "secret put MANAGEMENT_KEY" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("`wrangler secret put MANAGEMENT_KEY` failed (exit code 1)");
    expect(failed.stderr).toContain("run `npm run deploy` again");
    expect(failed.stderr).not.toMatch(STACK_LINE);
    expect(Object.keys(account(dir).secrets)).toEqual(["LICENSE_SIGNING_KEY"]);
    expect(apiKeys(dir)).toEqual([]);
    const signingKey = account(dir).secrets.LICENSE_SIGNING_KEY;
    const managementKey = saved(dir, "management-key.txt").trim();

    const before = calls(dir).length;
    const again = await deployWithFake(dir);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    const rerun = lines(dir, before);
    expect(rerun).not.toContain("d1 create edge-license-api");
    expect(rerun).not.toContain("queues create edge-license-audit-dlq");
    expect(rerun).not.toContain("secret put LICENSE_SIGNING_KEY");
    expect(rerun.filter((line) => line === "secret put MANAGEMENT_KEY")).toHaveLength(1);
    expect(account(dir).secrets).toEqual({ LICENSE_SIGNING_KEY: signingKey, MANAGEMENT_KEY: managementKey });
    expect(apiKeys(dir)).toHaveLength(1);
    expect(again.stdout).toContain(managementKey);
  }, 240_000);

  it("after an API key INSERT whose answer was lost, finds its saved key instead of adding a second; a secret set by hand stays", async () => {
    // A vendor who followed the manual steps before: database, queues, Worker and MANAGEMENT_KEY
    // exist; the login reaches two accounts and CLOUDFLARE_ACCOUNT_ID names one.
    const dir = newAccount({
      accounts: [
        { id: "acc1", name: "Other" },
        { id: "acc2", name: "Vendor Inc" },
      ],
      databases: ["edge-license-api"],
      queues: ["edge-license-audit", "edge-license-audit-dlq", "edge-license-webhooks", "edge-license-webhooks-dlq"],
      secrets: { MANAGEMENT_KEY: "chosen-by-hand-and-long-enough" },
      deploys: [{ migrationsApplied: 0, provisioned: [], secrets: ["MANAGEMENT_KEY"] }],
    });
    const lost = await deployWithFake(dir, { CLOUDFLARE_ACCOUNT_ID: "acc2", FAKE_WRANGLER_FAIL_AFTER: "INSERT INTO api_keys" });
    expect(lost.code).toBe(1);
    expect(lost.stderr).not.toMatch(STACK_LINE);
    const credentials = JSON.parse(saved(dir, "license-api-key.json", "acc2")) as { apiKey: string; sharedKey: string };
    expect(apiKeys(dir)).toEqual([{ api_key: credentials.apiKey, shared_key: credentials.sharedKey }]);

    const before = calls(dir).length;
    const again = await deployWithFake(dir, { CLOUDFLARE_ACCOUNT_ID: "acc2" });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(lines(dir, before).at(-1)).toBe("d1 execute DB --remote --json --command SELECT …");
    expect(apiKeys(dir)).toEqual([{ api_key: credentials.apiKey, shared_key: credentials.sharedKey }]);
    expect(again.stdout).toContain(`the first one, created before: ${join(keysDir(dir, "acc2"), "license-api-key.json")}`);

    const all = lines(dir);
    expect(all).not.toContain("d1 create edge-license-api");
    expect(all).not.toContain("queues create edge-license-audit-dlq");
    expect(all).not.toContain("secret put MANAGEMENT_KEY");
    expect(account(dir).secrets.MANAGEMENT_KEY).toBe("chosen-by-hand-and-long-enough");
    expect(
      calls(dir)
        .slice(1)
        .every((call) => call.line === "whoami --json" || call.accountId === "acc2"),
    ).toBe(true);
  }, 240_000);

  it("refuses a saved signing key the Worker could not use (PKCS#1, or not RSA-2048), saying why, and sets no signing key", async () => {
    const pkcs1 = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    for (const pem of [pkcs1, rsa1024]) {
      const dir = newAccount();
      mkdirSync(keysDir(dir), { recursive: true });
      writeFileSync(join(keysDir(dir), "signing-key.pem"), pem);
      const run = await deployWithFake(dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("must be an RSA-2048 private key in PKCS#8 PEM");
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(account(dir).secrets).not.toHaveProperty("LICENSE_SIGNING_KEY");
    }
  }, 120_000);

  it("with a login that reaches several accounts and none named, lists them and stops before any change", async () => {
    const dir = newAccount({
      accounts: [
        { id: "acc1", name: "Other" },
        { id: "acc2", name: "Vendor Inc" },
      ],
    });
    const run = await deployWithFake(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("CLOUDFLARE_ACCOUNT_ID=acc1 npm run deploy    # Other");
    expect(run.stderr).toContain("CLOUDFLARE_ACCOUNT_ID=acc2 npm run deploy    # Vendor Inc");
    expect(lines(dir)).toEqual(["whoami --json"]);
  }, 60_000);

  it("not signed in (the real wrangler, no credentials): says how to sign in, without a stack trace", async () => {
    const home = mkdtempSync(join(tmpdir(), "deploy-home-"));
    folders.push(home);
    const run = await runDeploy({ HOME: home, XDG_CONFIG_HOME: home, DEPLOY_KEYS_DIR: join(home, "keys") });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Not signed in to Cloudflare");
    expect(run.stderr).toContain("npx wrangler login");
    expect(run.stderr).toContain("export CLOUDFLARE_API_TOKEN=<token>");
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout.match(/^\$ wrangler /gm)).toEqual(["$ wrangler "]);
  }, 60_000);
});
