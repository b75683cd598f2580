// GET /api/v1/audit and its CSV read across D1 and the R2 archive as one log: same rows, same
// order, same cursors before and after rows move to R2 (docs/audit-archive.md).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { archiveAuditLog } from "../../src/archive/archive-audit-log";
import { readAuditPage } from "../../src/archive/read-audit-page";
import type { AuditEntryResource } from "../../src/models/audit-entry";
import { manage, manageOk } from "../support/management-client";
import { daysAgo, rowsInD1, seedAuditDay, todaysRow } from "../support/archive";

const small = { partRows: 40 };

/** Every page of a query, following next_cursor. */
async function pages(query: string): Promise<AuditEntryResource[][]> {
  const result: AuditEntryResource[][] = [];
  let cursor: string | null = null;
  do {
    const page: { data: AuditEntryResource[]; next_cursor: string | null } = await manageOk(
      "GET",
      `/api/v1/audit?${query}${cursor === null ? "" : `&cursor=${cursor}`}`,
    );
    result.push(page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return result;
}

describe("audit API across D1 and the archive", () => {
  it("answers the same pages, cursors and CSV before and after old rows move to R2", async () => {
    const counter = { licenseId: 660_001, featureId: 660_002 };
    const other = { licenseId: 660_003, featureId: 660_004 };
    const rows = [
      ...(await seedAuditDay(daysAgo(200), 90, counter)),
      ...(await seedAuditDay(daysAgo(200), 30, other)),
      ...(await seedAuditDay(daysAgo(150), 50, counter)),
      ...(await seedAuditDay(daysAgo(10), 25, counter)),
    ];
    await todaysRow();
    const mine = rows.filter((row) => row.license_id === counter.licenseId);
    const query = `license_id=${counter.licenseId}&limit=7`;
    const before = await pages(query);
    const csvBefore = await (await manage("GET", `/api/v1/audit/csv?license_id=${counter.licenseId}`)).text();
    const midCursor = before[5]!.at(-1)!.id;

    expect(await archiveAuditLog(env, { settings: small })).toMatchObject({ rows: 170 });
    expect(await rowsInD1(mine.map((row) => row.id))).toBe(25);

    const after = await pages(query);
    expect(after).toEqual(before);
    expect(after.flat()).toEqual(mine);
    // A cursor handed out before the rows moved continues exactly where it stopped.
    const resumed = await manageOk("GET", `/api/v1/audit?${query}&cursor=${midCursor}`);
    expect(resumed.data).toEqual(before[6]);
    expect(await (await manage("GET", `/api/v1/audit/csv?license_id=${counter.licenseId}`)).text()).toBe(csvBefore);

    // A time range that spans both sides, and one inside the archive, with other filters.
    const from = `${daysAgo(151)}T00:00:00.000Z`;
    expect((await pages(`license_feature_id=${counter.featureId}&from=${from}&limit=100`)).flat()).toEqual(
      mine.filter((row) => row.created_at >= from),
    );
    const to = `${daysAgo(199)}T00:00:00.000Z`;
    expect((await pages(`from=${daysAgo(200)}T12:00:00.000Z&to=${to}&limit=100`)).flat()).toEqual(
      rows.filter((row) => row.created_at >= `${daysAgo(200)}T12:00:00.000Z` && row.created_at < to),
    );
    expect((await pages(`hardware_id=${"0".repeat(63)}7&license_id=${other.licenseId}&limit=100`)).flat()).toEqual(
      rows.filter((row) => row.license_id === other.licenseId && row.hardware_id === `${"0".repeat(63)}7`),
    );
  });

  it("places a row archived late (old created_at, recent id) at its id, between newer rows", async () => {
    const counter = { licenseId: 661_001, featureId: 661_002 };
    const early = await seedAuditDay(daysAgo(120), 10, counter);
    const recent = await seedAuditDay(daysAgo(5), 10, counter);
    const late = await seedAuditDay(daysAgo(121), 3, counter);
    const more = await seedAuditDay(daysAgo(4), 2, counter);
    await todaysRow();
    await archiveAuditLog(env, { settings: small });
    expect(await rowsInD1([...early, ...late].map((row) => row.id))).toBe(0);
    expect((await pages(`license_id=${counter.licenseId}&limit=4`)).flat()).toEqual([...early, ...recent, ...late, ...more]);
  });

  it("bounds the archived rows one page reads: shorter pages, same rows", async () => {
    const counter = { licenseId: 662_001, featureId: 662_002 };
    const sparse = await seedAuditDay(daysAgo(300), 5, counter);
    await seedAuditDay(daysAgo(300), 400);
    const later = await seedAuditDay(daysAgo(299), 5, counter);
    await todaysRow();
    await archiveAuditLog(env, { settings: small });
    const filters = { license_id: counter.licenseId };
    const seen: AuditEntryResource[] = [];
    const sizes: number[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page = await readAuditPage(env, filters, cursor, 10, 80);
      seen.push(...page.items);
      sizes.push(page.items.length);
      expect(page.nextCursor === null || page.nextCursor > cursor).toBe(true);
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...sparse, ...later]);
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.some((size) => size < 10)).toBe(true);
  });

  it("reads a page again when rows move to R2 while it is being read", async () => {
    const counter = { licenseId: 663_001, featureId: 663_002 };
    const old = await seedAuditDay(daysAgo(400), 30, counter);
    await todaysRow();
    let archivedMidRead = false;
    // The archiver commits right before the page's D1 read: without the catalog check these rows
    // would be in neither the parts listed nor the D1 rows read.
    const racingDb = new Proxy(env.DB, {
      get(target, property) {
        if (property !== "prepare") {
          const value: unknown = Reflect.get(target, property);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!sql.includes("FROM consumption_audit\nWHERE id > ?1") || archivedMidRead) return statement;
          return {
            bind: (...values: unknown[]) => ({
              all: async () => {
                archivedMidRead = true;
                await archiveAuditLog(env, { settings: small });
                return statement.bind(...values).all();
              },
            }),
          };
        };
      },
    });
    const page = await readAuditPage({ DB: racingDb, AUDIT_ARCHIVE: env.AUDIT_ARCHIVE }, { license_id: counter.licenseId }, 0, 100);
    expect(archivedMidRead).toBe(true);
    expect(await rowsInD1(old.map((row) => row.id))).toBe(0);
    expect(page).toEqual({ items: old, nextCursor: null });
  });
});
