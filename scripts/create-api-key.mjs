// Creates a License API key (api key + shared key) in D1 and prints it once.
//   node scripts/create-api-key.mjs --local     the local dev database (.wrangler/state)
//   node scripts/create-api-key.mjs --remote    your deployed D1 (after `wrangler login`)
// Add --read-only for a key that may only call GET endpoints (check_license, ...), and --company N for
// a key of company N (default 1): a key reaches only its company's products.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, randomCredentials } from "./local-setup.mjs";

const args = process.argv.slice(2);
const target = args.includes("--remote") ? "--remote" : args.includes("--local") ? "--local" : null;
if (!target) {
  console.error("usage: node scripts/create-api-key.mjs --local|--remote [--read-only] [--company N] [--persist-to DIR]");
  process.exit(2);
}
const persistIndex = args.indexOf("--persist-to");
const persist = persistIndex >= 0 ? ["--persist-to", args[persistIndex + 1]] : [];
const { apiKey, sharedKey } = randomCredentials();
const readOnly = args.includes("--read-only") ? 1 : 0;
const companyIndex = args.indexOf("--company");
const companyId = companyIndex >= 0 ? args[companyIndex + 1] : "1";
if (!/^[1-9][0-9]{0,14}$/.test(companyId ?? "")) {
  console.error("--company takes a positive integer (the company_id of the products the key may use)");
  process.exit(2);
}
execFileSync(
  process.execPath,
  [
    join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"),
    "d1",
    "execute",
    "DB",
    target,
    ...persist,
    "--yes",
    "--command",
    `INSERT INTO api_keys (api_key, shared_key, read_only, company_id) VALUES ('${apiKey}', '${sharedKey}', ${readOnly}, ${companyId})`,
  ],
  { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
);
console.log(JSON.stringify({ apiKey, sharedKey, readOnly: readOnly === 1, companyId: Number(companyId) }, null, 2));
