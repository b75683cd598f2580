import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startSeededService } from "./lib/service.mjs";
import { runAutocannon } from "./lib/load.mjs";
import { auditTracker } from "./lib/audit.mjs";
import { HOT, consumptionBody, spreadTargets } from "./lib/fixture.mjs";
import { guard } from "./lib/lifecycle.mjs";
const workDir = mkdtempSync(join(tmpdir(), "reset2-"));
let s;
guard(async () => { await s?.service.dispose(); rmSync(workDir, { recursive: true, force: true }); });
s = await startSeededService({ workDir });
const audit = auditTracker({ probeUrl: s.service.probeUrl, db: s.db });
const spread = spreadTargets().map(consumptionBody), hot = [consumptionBody(HOT)];
const probe = process.env.NOPROBE !== "1";
let ok = 0;
for (let round = 1; round <= 2; round++) {
  for (const [name, bodies, feats] of [["hot", hot, [1]], ["spread", spread, spreadTargets().map((t) => t.licenseFeatureId)]]) {
    if (name === "spread") ok += (await runAutocannon({ url: s.service.url, connections: 32, amount: 1000, bodies, headers: s.sign })).ok;
    ok += (await runAutocannon({ url: s.service.url, connections: 32, durationS: 3, bodies, headers: s.sign })).ok;
    if (probe) ok = (await audit.settle({ phase: "w", touchedFeatures: feats, clientOkTotal: ok, stoppedAt: performance.now(), settleMs: 300 })).acceptedByCounters;
    const r = await runAutocannon({ url: s.service.url, connections: 32, durationS: 10, bodies, headers: s.sign });
    ok += r.ok;
    console.log(round, name, Math.round(r.rps), JSON.stringify(r.errorCodes), r.errorTimes.join(","));
    if (probe) ok = (await audit.settle({ phase: name, touchedFeatures: feats, clientOkTotal: ok, stoppedAt: performance.now() })).acceptedByCounters;
    else await new Promise((r) => setTimeout(r, 1500));
  }
  await new Promise((r) => setTimeout(r, Number(process.env.IDLE ?? 26000)));
}
await s.service.dispose(); rmSync(workDir, { recursive: true, force: true }); process.exit(0);
