// `npm run deploy`: takes the service to the Cloudflare account wrangler is signed in to, from a
// fresh account to a working License API, and is safe to run again (every step looks before it
// changes anything). docs/deploying.md lists the exact commands, in order, and what each prints.
//
//   1. who is signed in (`wrangler whoami --json`): guidance instead of a stack trace when nobody is;
//   2. the D1 database, created by name when missing: migrations need it before the first deploy, and
//      `wrangler deploy` then finds it by `database_name` (wrangler.toml carries no account's id);
//   3. the queues that `wrangler deploy` does not provision: it creates a missing queue only for a
//      producer binding, and refuses to deploy a consumer of a queue that does not exist (the
//      dead-letter queue);
//   4. the migrations, before the new code serves: the old code meets the new schema for the few
//      seconds of the deploy, never the new code the old schema;
//   5. `wrangler deploy` (it provisions the audit queue, binds the database, registers the consumers);
//   6. the secrets that are missing (`wrangler secret list`), never one that is set: generated once and
//      saved under .deploy/ first, so a run that stops halfway sets the same values when run again;
//   7. the first License API key, only while the database has none (one atomic INSERT … WHERE NOT EXISTS).
//
// DEPLOY_WRANGLER runs another Node script in place of wrangler (the tests point it at a fake that
// records the calls); DEPLOY_KEYS_DIR moves .deploy/.
import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { unstable_readConfig } from "wrangler";
import { ROOT, generateSigningKeyPair, randomCredentials, randomManagementKey } from "./local-setup.mjs";

const WRANGLER = process.env.DEPLOY_WRANGLER ?? join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** A failure the vendor can fix: printed as is, without a stack trace. */
class DeployStop extends Error {}

const AGAIN = "Fix the cause above, then run `npm run deploy` again: every step checks before it changes anything.";

const NOT_SIGNED_IN = `Not signed in to Cloudflare. Sign in one of two ways, then run \`npm run deploy\` again:

  npx wrangler login                      opens a browser (your own machine)
  export CLOUDFLARE_API_TOKEN=<token>     CI or a machine without a browser

A token comes from https://dash.cloudflare.com/profile/api-tokens: start from the "Edit Cloudflare
Workers" template and add the account permissions D1 Edit, Queues Edit and Workers R2 Storage Edit.`;

/** The environment of every wrangler call; the chosen account is added once it is known. */
const wranglerEnv = { ...process.env };

/**
 * Runs one wrangler command and shows it as `$ wrangler …` (`shown` replaces the arguments where they
 * carry a secret). `capture` returns its output instead of printing it (printed only on failure);
 * `interactive` lets wrangler ask the vendor (wrangler deploy: a workers.dev subdomain to register).
 * Every other call gets no terminal input, so wrangler never waits for an answer.
 */
function wrangler(args, { capture = false, interactive = false, input, shown, env = {}, allowFailure = false } = {}) {
  const command = `wrangler ${shown ?? args.map((arg) => (/[\s*()']/.test(arg) ? `"${arg}"` : arg)).join(" ")}`;
  console.log(`\n$ ${command}`);
  const output = capture ? "pipe" : "inherit";
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: { ...wranglerEnv, ...env },
    input,
    stdio: interactive ? "inherit" : [input === undefined ? "ignore" : "pipe", output, output],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const outcome = { ok: result.status === 0, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  if (!outcome.ok && !allowFailure) {
    if (capture) process.stderr.write(outcome.stdout + outcome.stderr);
    throw new DeployStop(`\`${command}\` failed (exit code ${result.status}).\n${AGAIN}`);
  }
  return outcome;
}

/** The JSON a `--json` command printed (wrangler may print a notice before it). */
function jsonOutput(stdout) {
  const start = stdout.search(/[[{]/);
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    throw new DeployStop(`wrangler printed no JSON where JSON was expected:\n${stdout}\n${AGAIN}`);
  }
}

/** The Cloudflare account to deploy to: the only one the login reaches, or the one named. */
function chooseAccount(config) {
  const whoami = wrangler(["whoami", "--json"], { capture: true, allowFailure: true });
  let user;
  try {
    user = JSON.parse(whoami.stdout.slice(whoami.stdout.indexOf("{")));
  } catch {
    process.stderr.write(whoami.stdout + whoami.stderr);
    throw new DeployStop(`\`wrangler whoami\` failed: see above.\n\n${NOT_SIGNED_IN}`);
  }
  if (!user.loggedIn) throw new DeployStop(NOT_SIGNED_IN);
  const accounts = Array.isArray(user.accounts) ? user.accounts : [];
  const named = process.env.CLOUDFLARE_ACCOUNT_ID ?? config.account_id;
  if (named) return accounts.find((account) => account.id === named) ?? { id: named, name: named };
  if (accounts.length === 1) return accounts[0];
  if (accounts.length === 0) {
    throw new DeployStop("This login lists no Cloudflare account. Name one: CLOUDFLARE_ACCOUNT_ID=<account id> npm run deploy");
  }
  throw new DeployStop(
    `This login reaches ${accounts.length} Cloudflare accounts; name the one to deploy to:\n\n` +
      accounts.map((account) => `  CLOUDFLARE_ACCOUNT_ID=${account.id} npm run deploy    # ${account.name}`).join("\n"),
  );
}

/** The database name wrangler looks up for a binding without an id (its own default when unnamed). */
function databaseName(config, database) {
  return database.database_name ?? `${config.name}-${database.binding.toLowerCase().replaceAll("_", "-")}`;
}

function ensureDatabases(config) {
  const unpinned = config.d1_databases.filter((database) => !database.database_id);
  if (unpinned.length === 0) return;
  const existing = new Set(jsonOutput(wrangler(["d1", "list", "--json"], { capture: true }).stdout).map((database) => database.name));
  for (const database of unpinned) {
    const name = databaseName(config, database);
    if (existing.has(name)) {
      console.log(`D1 database "${name}" exists.`);
      continue;
    }
    wrangler(["d1", "create", name], { capture: true });
    console.log(`Created the D1 database "${name}".`);
  }
}

/** Queues a consumer or a dead-letter setting names but no producer binding does: wrangler deploy does not create them. */
function consumerOnlyQueues(config) {
  const produced = new Set((config.queues.producers ?? []).map((producer) => producer.queue));
  const named = (config.queues.consumers ?? []).flatMap((consumer) => [consumer.queue, consumer.dead_letter_queue]);
  return [...new Set(named)].filter((queue) => queue && !produced.has(queue));
}

function ensureQueues(config) {
  for (const queue of consumerOnlyQueues(config)) {
    if (wrangler(["queues", "info", queue], { capture: true, allowFailure: true }).ok) {
      console.log(`Queue "${queue}" exists.`);
      continue;
    }
    wrangler(["queues", "create", queue], { capture: true });
    console.log(`Created the queue "${queue}".`);
  }
}

function applyMigrations(config) {
  for (const database of config.d1_databases) {
    if (database.migrations_dir) wrangler(["d1", "migrations", "apply", database.binding, "--remote"]);
  }
}

/**
 * `wrangler deploy`; returns the Worker's first URL, read from wrangler's machine-readable output
 * file. A deploy that was declined at one of wrangler's questions exits 0 without a version: stop
 * there rather than set secrets on a Worker that may not exist.
 */
function deployWorker() {
  const outputDir = mkdtempSync(join(tmpdir(), "edge-license-deploy-"));
  const outputFile = join(outputDir, "wrangler-output.json");
  try {
    wrangler(["deploy"], { interactive: true, env: { WRANGLER_OUTPUT_FILE_PATH: outputFile } });
    const entries = existsSync(outputFile)
      ? readFileSync(outputFile, "utf8")
          .split("\n")
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line))
      : [];
    const deployed = entries.find((entry) => entry.type === "deploy");
    if (!deployed?.version_id) throw new DeployStop(`\`wrangler deploy\` ended without deploying a version.\n${AGAIN}`);
    return deployed.targets?.[0] ?? null;
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** A path as the vendor types it: relative to the repository when inside it. */
function shownPath(file) {
  const inside = relative(ROOT, file);
  return inside.startsWith("..") ? file : inside;
}

function writeSecretFile(file, text) {
  writeFileSync(file, text, { mode: 0o600 });
}

/** The saved signing key (checked: RSA-2048, PKCS#8), or a new one saved before it is used. */
function signingKeyFiles(keysDir) {
  const privateFile = join(keysDir, "signing-key.pem");
  const publicFile = join(keysDir, "public-key.pem");
  if (!existsSync(privateFile)) {
    const { privateKey, publicKey } = generateSigningKeyPair();
    writeSecretFile(privateFile, privateKey);
    writeFileSync(publicFile, publicKey);
  }
  const privateKey = readFileSync(privateFile, "utf8");
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new DeployStop(`${shownPath(privateFile)} is not a PEM private key. Move it away to have a new one generated.`);
  }
  // The Worker imports the key as PKCS#8: a file that is not its own PKCS#8 export (PKCS#1, say) is refused.
  const pkcs8 = key.asymmetricKeyType === "rsa" && key.export({ type: "pkcs8", format: "pem" }).trim() === privateKey.trim();
  if (!pkcs8 || key.asymmetricKeyDetails?.modulusLength !== 2048) {
    throw new DeployStop(
      `${shownPath(privateFile)} must be an RSA-2048 private key in PKCS#8 PEM, as "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048" writes it.`,
    );
  }
  if (!existsSync(publicFile)) writeFileSync(publicFile, createPublicKey(key).export({ type: "spki", format: "pem" }));
  return { privateKey, privateFile, publicFile };
}

/** The saved management key, or a new one saved before it is used. */
function managementKeyFile(keysDir) {
  const file = join(keysDir, "management-key.txt");
  if (!existsSync(file)) writeSecretFile(file, randomManagementKey() + "\n");
  const managementKey = readFileSync(file, "utf8").trim();
  if (managementKey.length < 16) throw new DeployStop(`${shownPath(file)} holds fewer than 16 characters: the Worker would refuse it.`);
  return { managementKey, file };
}

/** Sets LICENSE_SIGNING_KEY and MANAGEMENT_KEY where the Worker has none; a secret that is set is never replaced. */
function ensureSecrets(keysDir) {
  const names = new Set(
    jsonOutput(wrangler(["secret", "list", "--format", "json"], { capture: true }).stdout).map((secret) => secret.name),
  );
  const publicFile = join(keysDir, "public-key.pem");
  const result = {
    signingKey: "kept",
    publicFile: existsSync(publicFile) ? publicFile : null,
    managementKey: "kept",
    managementKeyFile: null,
  };
  if (!names.has("LICENSE_SIGNING_KEY")) {
    const { privateKey, privateFile, publicFile } = signingKeyFiles(keysDir);
    wrangler(["secret", "put", "LICENSE_SIGNING_KEY"], { capture: true, input: privateKey });
    Object.assign(result, { signingKey: "set", privateFile, publicFile });
  }
  const savedManagementKey = join(keysDir, "management-key.txt");
  if (!names.has("MANAGEMENT_KEY")) {
    const { managementKey, file } = managementKeyFile(keysDir);
    wrangler(["secret", "put", "MANAGEMENT_KEY"], { capture: true, input: managementKey });
    Object.assign(result, { managementKey: "set", managementKeyFile: file });
  } else if (existsSync(savedManagementKey)) {
    result.managementKeyFile = savedManagementKey;
  }
  return result;
}

const sql = (text) => `'${String(text).replace(/'/g, "''")}'`;

function d1Json(binding, command, shown) {
  return jsonOutput(wrangler(["d1", "execute", binding, "--remote", "--json", "--command", command], { capture: true, shown }).stdout);
}

/**
 * Creates a first License API key while the database has none. The key is saved before the INSERT,
 * and the INSERT adds it only to an empty table, so a run that stopped after the INSERT (its answer
 * lost) finds its own key on the next run instead of adding a second one.
 */
function ensureFirstApiKey(keysDir) {
  const binding = "DB";
  const file = join(keysDir, "license-api-key.json");
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  const [count] = d1Json(
    binding,
    `SELECT COUNT(*) AS total, COUNT(CASE WHEN api_key = ${sql(saved?.apiKey ?? "")} THEN 1 END) AS saved FROM api_keys`,
  )[0].results;
  if (count.total > 0) return { status: count.saved > 0 ? "kept" : "exists", file: count.saved > 0 ? file : null };
  const credentials = saved ?? randomCredentials();
  if (!saved) writeSecretFile(file, JSON.stringify(credentials, null, 2) + "\n");
  const statements = d1Json(
    binding,
    `INSERT INTO api_keys (api_key, shared_key) SELECT ${sql(credentials.apiKey)}, ${sql(credentials.sharedKey)} ` +
      `WHERE NOT EXISTS (SELECT 1 FROM api_keys) RETURNING id`,
    `d1 execute ${binding} --remote --json --command "INSERT INTO api_keys (api_key, shared_key) SELECT '<key>', '<shared key>' WHERE NOT EXISTS (SELECT 1 FROM api_keys) RETURNING id"`,
  );
  if (statements.at(-1).results.length === 0) return { status: "exists", file: null };
  return { status: "created", file, credentials };
}

function printSummary({ url, account, secrets, apiKey }) {
  const publicKeyUrl = url ? `${url}/api/v4/public_key` : "GET /api/v4/public_key";
  const lines = ["", `Edge License API deployed to ${account.name} (${account.id})`, ""];
  if (url) lines.push(`  License API     ${url}/api/v4   (the SDK's apiPath)`, `  console         ${url}/console/`);
  else lines.push("  URL             printed by `wrangler deploy` above");
  if (secrets.signingKey === "set") {
    lines.push(`  signing key     new; private half in ${shownPath(secrets.privateFile)}: keep a copy somewhere safe`);
  } else {
    lines.push("  signing key     LICENSE_SIGNING_KEY was set before: kept");
  }
  if (secrets.publicFile) lines.push(`  public key      ${shownPath(secrets.publicFile)} (the SDK's publicKey), also at ${publicKeyUrl}`);
  else lines.push(`  public key      at ${publicKeyUrl} (the SDK's publicKey)`);
  if (secrets.managementKey === "set") {
    lines.push(
      `  management key  ${readFileSync(secrets.managementKeyFile, "utf8").trim()}   (new; saved in ${shownPath(secrets.managementKeyFile)})`,
    );
  } else {
    lines.push(
      `  management key  MANAGEMENT_KEY was set before: kept${secrets.managementKeyFile ? ` (saved in ${shownPath(secrets.managementKeyFile)})` : ""}`,
    );
  }
  if (apiKey.status === "created") {
    lines.push(`  API key         ${apiKey.credentials.apiKey}   (new; saved in ${shownPath(apiKey.file)})`);
    lines.push(`  shared key      ${apiKey.credentials.sharedKey}`);
  } else if (apiKey.status === "kept") {
    lines.push(`  API key         the first one, created before: ${shownPath(apiKey.file)}`);
  } else {
    lines.push("  API key         the database has License API keys already: none created");
  }
  lines.push(
    "",
    'Sign in to the console with the management key (the management API takes it as "Authorization: Api-Key <key>").',
    "More License API keys: npx node scripts/create-api-key.mjs --remote, or POST /api/v1/api-keys.",
  );
  if (secrets.signingKey === "set") lines.push("Apps that ship the public key accept only answers signed with its private half.");
  if (secrets.publicFile) lines.push("", readFileSync(secrets.publicFile, "utf8").trim());
  console.log(lines.join("\n"));
}

function main() {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const account = chooseAccount(config);
  wranglerEnv.CLOUDFLARE_ACCOUNT_ID = account.id;
  const keysDir = join(process.env.DEPLOY_KEYS_DIR ?? join(ROOT, ".deploy"), account.id, config.name);
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  ensureDatabases(config);
  ensureQueues(config);
  applyMigrations(config);
  const url = deployWorker();
  const secrets = ensureSecrets(keysDir);
  const apiKey = ensureFirstApiKey(keysDir);
  printSummary({ url, account, secrets, apiKey });
}

try {
  main();
} catch (error) {
  if (!(error instanceof DeployStop)) throw error;
  console.error(`\n${error.message}`);
  process.exitCode = 1;
}
