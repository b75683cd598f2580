// `npm run dev`: signing key + demo credentials (generated once into .dev/ and .dev.vars),
// local D1 migrated and seeded, then `wrangler dev`, with everything a newcomer needs printed.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DEMO, ROOT, ensureDevState, migrateAndSeed } from "./local-setup.mjs";

const port = Number(process.env.PORT ?? 8787);
const base = `http://127.0.0.1:${port}`;
const { credentials, publicKeyFile, managementKey } = ensureDevState();
migrateAndSeed({ credentials, quiet: true });

const example = `DATE="$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT')"
SIG="$(printf 'licenseSpring\\ndate: %s' "$DATE" | openssl dgst -sha256 -hmac '${credentials.sharedKey}' -binary | base64)"
curl -sS -i -X POST ${base}/api/v4/add_feature_consumption \\
  -H "Date: $DATE" -H 'Content-Type: application/json' \\
  -H "Authorization: algorithm=\\"hmac-sha256\\",headers=\\"date\\",signature=\\"$SIG\\",apikey=\\"${credentials.apiKey}\\"" \\
  -d '{"product":"${DEMO.keyProduct}","license_key":"${DEMO.licenseKey}","hardware_id":"${DEMO.hardwareId}","feature":"${DEMO.feature}","consumptions":1}'`;

console.log(`
Edge License API (local)
  base URL     ${base}/api/v4
  API key      ${credentials.apiKey}
  shared key   ${credentials.sharedKey}
  public key   ${publicKeyFile}  (also served at ${base}/api/v4/public_key)
  demo data    key-based: product "${DEMO.keyProduct}", license_key "${DEMO.licenseKey}", feature "${DEMO.feature}"
               user-based: product "${DEMO.userProduct}", username "${DEMO.username}" / "${DEMO.password}", feature "${DEMO.userFeature}"
               device hardware_id "${DEMO.hardwareId}" is active on both licenses

Vendor console and management API
  console        ${base}/console/
  management key ${managementKey}  (sign in with it; for /api/v1 send "Authorization: Api-Key <key>")
  OpenAPI        ${base}/api/openapi.json

Try it (bash, needs curl and openssl):
${example}
`);

const child = spawn(
  process.execPath,
  [
    join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"),
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    ...process.argv.slice(2),
  ],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
