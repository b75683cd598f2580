// The audit log's lifecycle in the real runtime: rows past the retention window move from real D1
// to real (local) R2 as Parquet parts, are verified, then deleted; runs stopped after each step are
// re-run and must leave every row exactly once (docs/audit-archive.md).
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { archiveAuditLog, cutoffTime, type ArchiveStep } from "../../src/archive/archive-audit-log";
import { retentionDays } from "../../src/archive/archive-settings";
import { encodeAuditPart } from "../../src/archive/audit-parquet";
import { readDayManifest } from "../../src/archive/day-manifest";
import type { AuditEntryResource } from "../../src/models/audit-entry";
import { archiveKeys, archivedRows, cataloguedParts, daysAgo, rowsInD1, seedAuditDay, todaysRow } from "../support/archive";

const small = { partRows: 100 };
const ids = (rows: readonly AuditEntryResource[]) => rows.map((row) => row.id);

/** The archive's state of a day: each seeded row exactly once, in D1 or in a catalogued part. */
async function expectExactlyOnce(day: string, seeded: readonly AuditEntryResource[]) {
  const archived = await archivedRows(day);
  const inD1 = await rowsInD1(ids(seeded));
  expect(new Set(ids(archived)).size).toBe(archived.length);
  expect(archived.length + inD1).toBe(seeded.length);
  return { archived, inD1 };
}

describe("audit archive", () => {
  it("moves days older than the retention window to R2, exactly, and keeps the window in D1", async () => {
    const oldDay = daysAgo(200);
    const edgeDay = daysAgo(91);
    const keptDay = daysAgo(90);
    const old = await seedAuditDay(oldDay, 250);
    await todaysRow();
    const edge = await seedAuditDay(edgeDay, 40);
    const kept = await seedAuditDay(keptDay, 30);

    const run = await archiveAuditLog(env, { settings: small });
    expect(run).toMatchObject({ status: "done", parts: 4, rows: 290, days: [oldDay, edgeDay] });

    expect(await archivedRows(oldDay)).toEqual(old);
    expect(await archivedRows(edgeDay)).toEqual(edge);
    expect(await rowsInD1(ids([...old, ...edge]))).toBe(0);
    expect(await rowsInD1(ids(kept))).toBe(30);
    expect(await archiveKeys(keptDay)).toEqual([]);

    const parts = await cataloguedParts(oldDay);
    expect(parts.map((part) => part.rows)).toEqual([100, 100, 50]);
    const manifest = (await readDayManifest(env.AUDIT_ARCHIVE, oldDay))!;
    expect(manifest).toMatchObject({
      day: oldDay,
      rows: 250,
      consumptions: old.reduce((sum, row) => sum + row.consumptions, 0),
      first_id: old[0]!.id,
      last_id: old.at(-1)!.id,
      first_event_id: old[0]!.event_id,
      last_event_id: old.at(-1)!.event_id,
    });
    expect(manifest.parts.map((part) => part.object_key)).toEqual(parts.map((part) => part.object_key));
    expect(manifest.counters).toEqual({
      [`feature:${old[0]!.license_feature_id}`]: { rows: 250, consumptions: manifest.consumptions },
    });
    expect(await archiveKeys(oldDay)).toEqual([...parts.map((part) => part.object_key), `audit-log/day=${oldDay}/manifest.json`].sort());

    // Nothing more to do: a second run writes nothing.
    expect(await archiveAuditLog(env, { settings: small })).toMatchObject({ status: "done", parts: 0 });
  });

  it("splits a large day into parts and stops each run at its part limit; the next run resumes", async () => {
    const day = daysAgo(150);
    const seeded = await seedAuditDay(day, 730);
    await todaysRow();
    const settings = { partRows: 100, partsPerRun: 3 };
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await archiveAuditLog(env, { settings }));
    expect(runs.map((run) => [run.status, run.parts, run.rows])).toEqual([
      ["more", 3, 300],
      ["more", 3, 300],
      ["done", 2, 130],
      ["done", 0, 0],
      ["done", 0, 0],
    ]);
    expect(await archivedRows(day)).toEqual(seeded);
    expect((await cataloguedParts(day)).map((part) => part.part)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await readDayManifest(env.AUDIT_ARCHIVE, day))!.rows).toBe(730);
  });

  const steps: ArchiveStep[] = ["read", "write", "verify", "commit", "manifest"];
  for (const [index, failAt] of steps.entries()) {
    it(`loses nothing and duplicates nothing when a run stops after "${failAt}", then runs again`, async () => {
      const day = daysAgo(300 + index);
      const seeded = await seedAuditDay(day, 250);
      await todaysRow();
      let stops = 0;
      const stopped = archiveAuditLog(env, {
        settings: small,
        afterStep: (step) => {
          // Stop at the second part, so one part is already committed when the run dies.
          if (step === failAt && (step === "manifest" || ++stops === 2)) throw new Error(`stopped after ${step}`);
        },
      });
      await expect(stopped).rejects.toThrow(`stopped after ${failAt}`);
      const during = await expectExactlyOnce(day, seeded);
      expect(during.archived.length).toBe(failAt === "commit" ? 200 : failAt === "manifest" ? 250 : 100);

      await archiveAuditLog(env, { settings: small });
      const after = await expectExactlyOnce(day, seeded);
      expect(after.archived).toEqual(seeded);
      expect(after.inD1).toBe(0);
      const parts = await cataloguedParts(day);
      // Only catalogued parts and the manifest are left in R2: the file of the stopped attempt is gone.
      expect(await archiveKeys(day)).toEqual([...parts.map((part) => part.object_key), `audit-log/day=${day}/manifest.json`].sort());
      const manifest = (await readDayManifest(env.AUDIT_ARCHIVE, day))!;
      expect([manifest.rows, manifest.parts.length, Object.values(manifest.counters)[0]!.rows]).toEqual([250, 3, 250]);
      expect(parts.every((part) => (part as unknown as { in_manifest: number }).in_manifest === 1)).toBe(true);
    });
  }

  it("a run killed mid-part (its lease still held) blocks others until the lease expires; the next run cleans up", async () => {
    const day = daysAgo(400);
    const seeded = await seedAuditDay(day, 150);
    await todaysRow();
    const now = Date.now();
    await expect(
      archiveAuditLog(env, {
        now,
        settings: small,
        afterStep: async (step) => {
          if (step !== "write") return;
          // A kill leaves the lease as it was: taken, with the part being written named in it.
          await env.DB.prepare("UPDATE audit_archive_lease SET expires_at = ?1")
            .bind(now + 3_600_000)
            .run();
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    await env.DB.prepare("UPDATE audit_archive_lease SET expires_at = ?1")
      .bind(now + 3_600_000)
      .run();
    const orphan = (await archiveKeys(day))[0]!;
    expect(orphan).toMatch(/part-00001-\d+\.parquet$/);
    expect(await cataloguedParts(day)).toEqual([]);

    expect(await archiveAuditLog(env, { now, settings: small })).toMatchObject({ status: "busy", parts: 0 });
    expect(await rowsInD1(ids(seeded))).toBe(150);

    const later = await archiveAuditLog(env, { now: now + 3_600_001, settings: small });
    // An hour later may be past midnight (UTC), which moves the retention window over another
    // test's day too: this day's parts are what the run must have written.
    expect(later).toMatchObject({ status: "done", days: expect.arrayContaining([day]) });
    expect((await readDayManifest(env.AUDIT_ARCHIVE, day))!.parts.map((part) => part.rows)).toEqual([100, 50]);
    expect(await archivedRows(day)).toEqual(seeded);
    expect(await archiveKeys(day)).not.toContain(orphan);
  });

  it("deletes nothing when the file read back does not match what was written", async () => {
    const day = daysAgo(500);
    const seeded = await seedAuditDay(day, 80);
    await todaysRow();
    const run = archiveAuditLog(env, {
      settings: small,
      afterStep: async (step, { objectKey }) => {
        // Storage returns a file that lost a row: the verification must refuse it.
        if (step === "write") await env.AUDIT_ARCHIVE.put(objectKey!, encodeAuditPart(seeded.slice(0, -1)));
      },
    });
    await expect(run).rejects.toThrow(/does not hold what was written \(rows: expected 80, read back 79\)/);
    expect(await rowsInD1(ids(seeded))).toBe(80);
    expect(await cataloguedParts(day)).toEqual([]);

    await archiveAuditLog(env, { settings: small });
    expect(await archivedRows(day)).toEqual(seeded);
  });

  it("commits nothing for a run whose lease another run took", async () => {
    const day = daysAgo(600);
    const seeded = await seedAuditDay(day, 60);
    await todaysRow();
    const run = archiveAuditLog(env, {
      settings: small,
      afterStep: async (step) => {
        if (step === "verify") await env.DB.prepare("UPDATE audit_archive_lease SET token = token + 1").run();
      },
    });
    await expect(run).rejects.toThrow(/was not committed/);
    expect(await rowsInD1(ids(seeded))).toBe(60);
    await env.DB.prepare("UPDATE audit_archive_lease SET expires_at = 0").run();
    await archiveAuditLog(env, { settings: small });
    expect(await archivedRows(day)).toEqual(seeded);
    expect((await archiveKeys(day)).length).toBe(2);
  });

  it("refuses a second run while one is running", async () => {
    const day = daysAgo(700);
    await seedAuditDay(day, 20);
    await todaysRow();
    let second: unknown;
    await archiveAuditLog(env, {
      settings: small,
      afterStep: async (step) => {
        if (step === "read") second = await archiveAuditLog(env, { settings: small });
      },
    });
    expect(second).toMatchObject({ status: "busy" });
  });

  it("archives rows that reach D1 after their day was archived as a further part of that day", async () => {
    const day = daysAgo(800);
    const counter = { licenseId: 990_001, featureId: 990_002 };
    const first = await seedAuditDay(day, 30, counter);
    await todaysRow();
    await archiveAuditLog(env, { settings: small });
    const late = await seedAuditDay(day, 5, counter);
    await todaysRow();
    expect(await archiveAuditLog(env, { settings: small })).toMatchObject({ parts: 1, rows: 5, days: [day] });
    expect(await archivedRows(day)).toEqual([...first, ...late]);
    const manifest = (await readDayManifest(env.AUDIT_ARCHIVE, day))!;
    expect(manifest.parts.map((part) => part.rows)).toEqual([30, 5]);
    expect(manifest.counters).toEqual({
      "feature:990002": { rows: 35, consumptions: [...first, ...late].reduce((sum, row) => sum + row.consumptions, 0) },
    });
  });

  it("never archives the newest row, so a later row never takes an archived row's id", async () => {
    const day = daysAgo(900);
    const seeded = await seedAuditDay(day, 12);
    await env.DB.prepare("DELETE FROM consumption_audit WHERE created_at >= ?1").bind(daysAgo(89)).run();
    expect(await archiveAuditLog(env, { settings: small })).toMatchObject({ rows: 11 });
    expect(await rowsInD1(ids(seeded))).toBe(1);
    const [next] = await seedAuditDay(daysAgo(0), 1);
    expect(next!.id).toBe(seeded.at(-1)!.id + 1);
    expect(await archiveAuditLog(env, { settings: small })).toMatchObject({ rows: 1 });
    expect(await archivedRows(day)).toEqual(seeded);
  });

  it("runs from the Worker's cron handler with the retention window of wrangler.toml", async () => {
    expect(env.AUDIT_RETENTION_DAYS).toBe("90");
    const old = await seedAuditDay(daysAgo(95), 10);
    await todaysRow();
    const recent = await seedAuditDay(daysAgo(85), 10);
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *", scheduledTime: Date.now() }), env);
    expect(await rowsInD1(ids(old))).toBe(0);
    expect(await archivedRows(daysAgo(95))).toEqual(old);
    expect(await rowsInD1(ids(recent))).toBe(10);
  });

  it("reads the retention window from its var: whole days, at least one, 90 when unset or malformed", () => {
    expect([retentionDays("30"), retentionDays(" 365 "), retentionDays("0"), retentionDays(undefined), retentionDays("ninety")]).toEqual([
      30, 365, 1, 90, 90,
    ]);
    expect(cutoffTime(Date.parse("2026-04-15T13:00:00Z"), 90)).toBe("2026-01-15T00:00:00.000Z");
  });
});
