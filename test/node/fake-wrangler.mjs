// A stand-in for the remote half of wrangler, for scripts/deploy.mjs's tests (DEPLOY_WRANGLER points
// here): the Cloudflare account is a JSON file in FAKE_WRANGLER_DIR, and every call is appended to
// calls.jsonl there. D1 is real: `--remote` D1 commands run as the real wrangler's `--local` ones on a
// database kept in the same folder, so migrations/ and the script's SQL run against the real schema.
// What it mimics of wrangler 4.164 (node_modules/wrangler/wrangler-dist/cli.js):
//   - `wrangler deploy` creates a missing queue of a producer binding and a missing D1 database found
//     by `database_name` (automatic provisioning), and refuses a consumer of a queue that does not exist;
//   - `d1 migrations apply/execute --remote` need the database to exist;
//   - `secret list` needs the Worker to exist;
//   - `whoami --json` prints {"loggedIn":false} and exits 1 without credentials.
// FAKE_WRANGLER_FAIL=<text>: a call whose arguments contain <text> fails before it does anything;
// FAKE_WRANGLER_FAIL_AFTER=<text>: it does its work, then fails (an answer lost on the way back);
// FAKE_WRANGLER_DECLINE_DEPLOY=1: `wrangler deploy` ends as when the vendor answers "no" to a question.
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const DIR = process.env.FAKE_WRANGLER_DIR;
const STATE_FILE = join(DIR, "account.json");
const args = process.argv.slice(2);
const joined = args.join(" ");

const state = JSON.parse(readFileSync(STATE_FILE, "utf8"));
const stdin = args[0] === "secret" && args[1] === "put" ? readFileSync(0, "utf8") : undefined;
appendFileSync(join(DIR, "calls.jsonl"), JSON.stringify({ args, accountId: process.env.CLOUDFLARE_ACCOUNT_ID ?? null }) + "\n");

function fail(message) {
  console.error(`✘ [ERROR] ${message}`);
  process.exit(1);
}
function save() {
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

if (process.env.FAKE_WRANGLER_FAIL && joined.includes(process.env.FAKE_WRANGLER_FAIL)) fail("simulated failure (FAKE_WRANGLER_FAIL)");

const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
const workerName = /^name = "([^"]+)"/m.exec(config)[1];
const databaseName = /^database_name = "([^"]+)"/m.exec(config)[1];
const producerQueues = [...config.matchAll(/\[\[queues\.producers\]\][^[]*?queue = "([^"]+)"/g)].map((m) => m[1]);
const consumerQueues = [...config.matchAll(/\[\[queues\.consumers\]\]\s*queue = "([^"]+)"/g)].map((m) => m[1]);

/** The real wrangler on the local D1 that plays the account's database. */
function realD1(d1Args) {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"), ...d1Args, "--local", "--persist-to", join(DIR, "d1")],
    {
      cwd: ROOT,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      encoding: "utf8",
    },
  );
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
function requireDatabase() {
  if (!state.databases.includes(databaseName)) {
    fail(
      `Couldn't find a D1 DB named '${databaseName}' (bound as 'DB') in the API. Run 'wrangler d1 create ${databaseName}' to create it.`,
    );
  }
}
function requireAccount() {
  if (!state.loggedIn) fail("Not logged in.");
  if (!process.env.CLOUDFLARE_ACCOUNT_ID) fail("More than one account available but unable to select one in non-interactive mode.");
}

const [command, sub] = args;
if (command === "whoami") {
  if (!state.loggedIn) {
    console.log(JSON.stringify({ loggedIn: false }));
    process.exit(1);
  }
  console.log(JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: "vendor@example.com", accounts: state.accounts }));
} else if (command === "d1" && sub === "list") {
  requireAccount();
  console.log(JSON.stringify(state.databases.map((name, index) => ({ uuid: `uuid-${index}`, name }))));
} else if (command === "d1" && sub === "create") {
  requireAccount();
  if (state.databases.includes(args[2])) fail(`A database with the name "${args[2]}" already exists.`);
  state.databases.push(args[2]);
  save();
  console.log(`✅ Successfully created DB '${args[2]}'`);
} else if (command === "queues" && sub === "info") {
  requireAccount();
  if (!state.queues.includes(args[2])) fail(`Queue "${args[2]}" does not exist. To create it, run: wrangler queues create ${args[2]}`);
  console.log(`Queue Name: ${args[2]}`);
} else if (command === "queues" && sub === "create") {
  requireAccount();
  if (state.queues.includes(args[2])) fail(`A queue with name "${args[2]}" already exists.`);
  state.queues.push(args[2]);
  save();
  console.log(`✅ Created queue ${args[2]}`);
} else if (command === "d1" && sub === "migrations" && args[2] === "apply") {
  requireAccount();
  if (!args.includes("--remote")) fail("the fake takes only --remote");
  requireDatabase();
  realD1(["d1", "migrations", "apply", args[3]]);
  state.migrationsApplied = readdirSync(join(ROOT, "migrations")).filter((file) => file.endsWith(".sql")).length;
  save();
} else if (command === "d1" && sub === "execute") {
  requireAccount();
  if (!args.includes("--remote")) fail("the fake takes only --remote");
  requireDatabase();
  realD1(args.filter((arg) => arg !== "--remote"));
} else if (command === "deploy") {
  requireAccount();
  const missing = consumerQueues.filter((queue) => !producerQueues.includes(queue) && !state.queues.includes(queue));
  if (missing.length > 0) fail(`Queue "${missing[0]}" does not exist. To create it, run: wrangler queues create ${missing[0]}`);
  // A question answered "no" (e.g. overwrite a deployment made in the dashboard): exit 0, no version.
  const declined = process.env.FAKE_WRANGLER_DECLINE_DEPLOY === "1";
  const url = `https://${workerName}.vendor.workers.dev`;
  if (!declined) {
    const provisioned = producerQueues.filter((queue) => !state.queues.includes(queue));
    state.queues.push(...provisioned);
    if (!state.databases.includes(databaseName)) {
      provisioned.push(databaseName);
      state.databases.push(databaseName);
    }
    state.deploys.push({ migrationsApplied: state.migrationsApplied ?? 0, provisioned, secrets: Object.keys(state.secrets) });
    save();
    console.log(`Deployed ${workerName}\n  ${url}`);
  }
  if (process.env.WRANGLER_OUTPUT_FILE_PATH) {
    const entry = {
      type: "deploy",
      version: 1,
      worker_name: workerName,
      version_id: declined ? null : `v${state.deploys.length}`,
      targets: declined ? undefined : [url],
    };
    appendFileSync(process.env.WRANGLER_OUTPUT_FILE_PATH, JSON.stringify(entry) + "\n");
  }
} else if (command === "secret" && sub === "list") {
  requireAccount();
  if (state.deploys.length === 0)
    fail(`Worker "${workerName}" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`);
  console.log(JSON.stringify(Object.keys(state.secrets).map((name) => ({ name, type: "secret_text" }))));
} else if (command === "secret" && sub === "put") {
  requireAccount();
  state.secrets[args[2]] = stdin.trimEnd();
  save();
  console.log(`✨ Success! Uploaded secret ${args[2]}`);
} else {
  fail(`the fake does not know \`wrangler ${joined}\``);
}

if (process.env.FAKE_WRANGLER_FAIL_AFTER && joined.includes(process.env.FAKE_WRANGLER_FAIL_AFTER))
  fail("simulated lost answer (FAKE_WRANGLER_FAIL_AFTER)");
