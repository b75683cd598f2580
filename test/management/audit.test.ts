// The audit log through the management API: filters, pagination, CSV export.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { flushAudit } from "../support/audit";
import { postSigned } from "../support/client";
import { consumeAs, manage, manageOk, managementError, vendorSetup, type VendorSetup } from "../support/management-client";

type Entry = {
  id: number;
  event: string;
  consumptions: number;
  total_after: number;
  hardware_id: string | null;
  feature_code: string;
  license_id: number;
  created_at: string;
};

async function entries(query: string): Promise<Entry[]> {
  return (await manageOk("GET", `/api/v1/audit?limit=200&${query}`)).data;
}

/** Two licenses; the first with two devices and a manual reset. Returns both setups. */
async function history(): Promise<[VendorSetup, VendorSetup, string]> {
  const a = await vendorSetup({ max_consumption: 100 });
  const b = await vendorSetup({ max_consumption: 100 });
  const otherDevice = `${a.hardwareId}-b`;
  expect((await postSigned("/api/v4/activate_license", { ...a.identity, hardware_id: otherDevice }, a.credentials)).status).toBe(200);
  expect((await consumeAs(a, 1)).status).toBe(200);
  expect((await consumeAs(a, 2)).status).toBe(200);
  const other = await postSigned(
    "/api/v4/add_feature_consumption",
    { ...a.identity, hardware_id: otherDevice, feature: a.featureCode, consumptions: 4, event: ["offline_floating_consumptions_sync"] },
    a.credentials,
  );
  expect(other.status).toBe(200);
  await manageOk("POST", `/api/v1/licenses/${a.license.id}/features/${a.featureCode}/reset`);
  expect((await consumeAs(b, 5)).status).toBe(200);
  await flushAudit(a.licenseFeatureId);
  await flushAudit(b.licenseFeatureId);
  return [a, b, otherDevice];
}

describe("audit log", () => {
  it("filters by license, feature, device and event", async () => {
    const [a, b, otherDevice] = await history();
    expect((await entries(`license_id=${a.license.id}`)).map((e) => [e.event, e.consumptions, e.total_after])).toEqual([
      ["consumption_add", 1, 1],
      ["consumption_add", 2, 3],
      ["offline_floating_consumptions_sync", 4, 7],
      ["manual_reset", -7, 0],
    ]);
    expect((await entries(`license_id=${b.license.id}`)).map((e) => e.consumptions)).toEqual([5]);
    expect((await entries(`feature=${b.featureCode}`)).map((e) => e.license_id)).toEqual([b.license.id]);
    expect((await entries(`license_feature_id=${a.licenseFeatureId}&hardware_id=${otherDevice}`)).map((e) => e.consumptions)).toEqual([4]);
    expect((await entries(`license_id=${a.license.id}&event=manual_reset`)).map((e) => e.hardware_id)).toEqual([null]);
    expect(await entries(`license_id=${a.license.id}&license_feature_id=${b.licenseFeatureId}`)).toEqual([]);
  });

  it("filters by time range: from inclusive, to exclusive", async () => {
    const [a] = await history();
    const all = await entries(`license_id=${a.license.id}`);
    const pivot = all[2]!.created_at;
    const fromPivot = await entries(`license_id=${a.license.id}&from=${encodeURIComponent(pivot)}`);
    const beforePivot = await entries(`license_id=${a.license.id}&to=${encodeURIComponent(pivot)}`);
    expect(fromPivot.length + beforePivot.length).toBe(all.length);
    expect(fromPivot.every((e) => e.created_at >= pivot)).toBe(true);
    expect(beforePivot.every((e) => e.created_at < pivot)).toBe(true);
    expect(fromPivot.map((e) => e.id)).toContain(all[2]!.id);
    expect(await entries(`license_id=${a.license.id}&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`)).toEqual([]);
  });

  it("paginates in the order rows were recorded", async () => {
    const [a] = await history();
    const first = await manageOk("GET", `/api/v1/audit?license_id=${a.license.id}&limit=3`);
    expect(first.data).toHaveLength(3);
    const second = await manageOk("GET", `/api/v1/audit?license_id=${a.license.id}&limit=3&cursor=${first.next_cursor}`);
    expect(second.next_cursor).toBeNull();
    expect([...first.data, ...second.data].map((e: Entry) => e.id)).toEqual((await entries(`license_id=${a.license.id}`)).map((e) => e.id));
  });

  it("rejects bad filters", async () => {
    for (const query of ["from=yesterday", "event=consumed", "license_id=x", "limit=1000", "colour=red"]) {
      expect((await managementError(await manage("GET", `/api/v1/audit?${query}`))).code, query).toBe("validation_error");
    }
  });

  it("exports CSV with the same filters: a header, one line per row, formula-looking text neutralised", async () => {
    const [a] = await history();
    const evilDevice = '=HYPERLINK("http://x","a,b")';
    expect((await postSigned("/api/v4/activate_license", { ...a.identity, hardware_id: evilDevice }, a.credentials)).status).toBe(200);
    expect(
      (
        await postSigned(
          "/api/v4/add_feature_consumption",
          { ...a.identity, hardware_id: evilDevice, feature: a.featureCode },
          a.credentials,
        )
      ).status,
    ).toBe(200);
    await flushAudit(a.licenseFeatureId);

    const response = await manage("GET", `/api/v1/audit/csv?license_id=${a.license.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/attachment/);
    const lines = (await response.text()).split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toBe(
      "id,event_id,created_at,event,license_id,license_feature_id,feature_code,hardware_id,consumptions,total_after,api_key_id",
    );
    const rows = lines.slice(1, -1);
    const json = await entries(`license_id=${a.license.id}`);
    expect(rows).toHaveLength(json.length);
    expect(rows[3]).toMatch(
      new RegExp(`^${json[3]!.id},[0-9a-f-]{36},[^,]+,manual_reset,${a.license.id},${a.licenseFeatureId},${a.featureCode},,-7,0,$`),
    );
    expect(rows[4]).toContain(`"'=HYPERLINK(""http://x"",""a,b"")"`);
    const filtered = await manage("GET", `/api/v1/audit/csv?license_id=${a.license.id}&event=manual_reset`);
    expect((await filtered.text()).split("\r\n")).toHaveLength(3);
    expect((await managementError(await manage("GET", "/api/v1/audit/csv?limit=5"))).code).toBe("validation_error");
  });

  it("exports just the header when nothing matches", async () => {
    const response = await manage("GET", "/api/v1/audit/csv?license_id=987654321");
    expect(await response.text()).toBe(
      "id,event_id,created_at,event,license_id,license_feature_id,feature_code,hardware_id,consumptions,total_after,api_key_id\r\n",
    );
  });

  it("exports more rows than one internal batch", async () => {
    // 1,234 rows written straight into D1's audit table (as the counter objects' flush writes them).
    const licenseId = 900_000 + Math.floor(Math.random() * 1000);
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
       INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
       SELECT 'bulk-' || ?1 || '-' || i, ?1, NULL, NULL, 'hw', 1, i, 'consumption_add', NULL, '2026-01-01T00:00:00.000Z' FROM n`,
    )
      .bind(licenseId)
      .run();
    const text = await (await manage("GET", `/api/v1/audit/csv?license_id=${licenseId}`)).text();
    const totals = text
      .split("\r\n")
      .slice(1, -1)
      .map((line) => Number(line.split(",")[9]));
    expect(totals).toEqual(Array.from({ length: 1234 }, (_, i) => i + 1));
  });
});
