// POST /api/v1/import/totals: current totals set in the counter objects, audited as "import", once.
import { beforeAll, describe, expect, it } from "vitest";
import type { Credentials } from "../support/fixtures";
import { auditRows, flushAudit, flushLicenseAudit, licenseAuditRows } from "../support/audit";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { importError, importOk, importProduct, importRows, licenseSpringId } from "../support/import-client";
import { manageOk, uniqueCode } from "../support/management-client";

let credentials: Credentials;

beforeAll(async () => {
  const created = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: created.id, apiKey: created.api_key, sharedKey: created.shared_key };
});

/** A consumption license with a metered and an activation feature, imported with an active device. */
async function importedLicense() {
  const product = await importProduct({
    features: [{ max_consumption: 100, allow_negative_consumptions: true }, { feature_type: "activation" }],
  });
  const [metered, pro] = product.features as [string, string];
  const id = licenseSpringId();
  const hardwareId = uniqueCode("hw");
  await importOk("licenses", [
    { id, product: product.short_code, license_key: uniqueCode("KEY"), license_type: "consumption", consumption: { max_consumptions: 50 } },
  ]);
  await importOk("devices", [{ license_id: id, hardware_id: hardwareId }]);
  const detail = await manageOk("GET", `/api/v1/licenses/${id}`);
  const identity = { product: product.short_code, license_key: detail.license_key, hardware_id: hardwareId };
  const licenseFeatureId: number = detail.features.find((feature: { code: string }) => feature.code === metered).id;
  return { id, identity, metered, pro, licenseFeatureId };
}

const replay = (rows: Array<{ consumptions: number; total_after: number }>) => {
  let total = 0;
  for (const row of rows) {
    total += row.consumptions;
    expect(row.total_after).toBe(total);
  }
  return total;
};

describe("POST /api/v1/import/totals", () => {
  it("sets feature and license-level totals: the License API reports them and the audit log replays to them", async () => {
    const license = await importedLicense();
    const summary = await importOk("totals", [
      { license_id: license.id, feature: license.metered, total: 42 },
      { license_id: license.id, total: 17 },
    ]);
    expect(summary).toEqual({
      kind: "totals",
      rows: 2,
      results: [
        { row: 1, license_id: license.id, feature: license.metered, total: 42 },
        { row: 2, license_id: license.id, feature: null, total: 17 },
      ],
    });

    const feature = await signedBody(
      await getSigned("/api/v4/check_license_feature", { ...license.identity, feature: license.metered }, credentials),
    );
    expect(feature.total_consumptions).toBe(42);
    const checked = await signedBody(await getSigned("/api/v4/check_license", license.identity, credentials));
    expect(checked.total_consumptions).toBe(17);
    // Consumption goes on from the imported totals, against the same limits.
    const added = await signedBody(
      await postSigned("/api/v4/add_feature_consumption", { ...license.identity, feature: license.metered, consumptions: 58 }, credentials),
    );
    expect(added.total_consumptions).toBe(100);
    expect(
      await errorCode(await postSigned("/api/v4/add_feature_consumption", { ...license.identity, feature: license.metered }, credentials)),
    ).toBe("feature_not_enough_consumptions");
    expect(
      (await signedBody(await postSigned("/api/v4/add_consumption", { ...license.identity, consumptions: 3 }, credentials)))
        .total_consumptions,
    ).toBe(20);

    await flushAudit(license.licenseFeatureId);
    await flushLicenseAudit(license.id);
    const featureRows = await auditRows(license.licenseFeatureId);
    expect(featureRows.map((row) => [row.event, row.consumptions, row.total_after, row.hardware_id, row.api_key_id])).toEqual([
      ["import", 42, 42, null, null],
      ["consumption_add", 58, 100, license.identity.hardware_id, credentials.id],
    ]);
    expect(replay(featureRows)).toBe(100);
    const licenseRows = await licenseAuditRows(license.id);
    expect(licenseRows.map((row) => [row.event, row.consumptions, row.total_after])).toEqual([
      ["import", 17, 17],
      ["consumption_add", 3, 20],
    ]);
    // The audit log filters on the new event, and the management API shows the live totals.
    const imports = await manageOk("GET", `/api/v1/audit?license_id=${license.id}&event=import`);
    expect(imports.data.map((row: { total_after: number }) => row.total_after).sort()).toEqual([17, 42]);
    const detail = await manageOk("GET", `/api/v1/licenses/${license.id}`);
    expect(detail.features[0].total_consumptions).toBe(100);
    expect(detail.consumption.total_consumptions).toBe(20);
  });

  it("a retry or a re-run changes nothing and answers the same, also after consumptions here; a new total replaces the live one", async () => {
    const license = await importedLicense();
    const rows = [{ license_id: license.id, feature: license.metered, total: 30 }];
    const first = await importOk("totals", rows);
    expect(await importOk("totals", rows, { format: "ndjson" })).toEqual(first);
    await postSigned("/api/v4/add_feature_consumption", { ...license.identity, feature: license.metered, consumptions: 5 }, credentials);
    expect(await importOk("totals", rows)).toEqual(first);
    const live = () => manageOk("GET", `/api/v1/licenses/${license.id}`).then((detail) => detail.features[0].total_consumptions as number);
    expect(await live()).toBe(35);

    // A later export from LicenseSpring (clients went on consuming there): the new total replaces the live one.
    await importOk("totals", [{ ...rows[0], total: 33 }]);
    expect(await live()).toBe(33);
    await flushAudit(license.licenseFeatureId);
    const audit = await auditRows(license.licenseFeatureId);
    expect(audit.map((row) => [row.event, row.consumptions, row.total_after])).toEqual([
      ["import", 30, 30],
      ["consumption_add", 5, 35],
      ["import", -2, 33],
    ]);
    expect(replay(audit)).toBe(33);
  });

  it("a total equal to the counter's is recorded without an audit row (nothing changed)", async () => {
    const license = await importedLicense();
    await importOk("totals", [{ license_id: license.id, feature: license.metered, total: 0 }]);
    await postSigned("/api/v4/add_feature_consumption", { ...license.identity, feature: license.metered, consumptions: 4 }, credentials);
    // 0 was the last import: importing 0 again is a re-run, and keeps the 4 consumed since.
    await importOk("totals", [{ license_id: license.id, feature: license.metered, total: 0 }]);
    await flushAudit(license.licenseFeatureId);
    expect((await auditRows(license.licenseFeatureId)).map((row) => [row.event, row.total_after])).toEqual([["consumption_add", 4]]);
  });

  it("bad rows import nothing: unknown license or feature, an activation feature, a license-level total on another license type", async () => {
    const license = await importedLicense();
    const perpetual = licenseSpringId();
    const product = await importProduct();
    await importOk("licenses", [{ id: perpetual, product: product.short_code, license_key: uniqueCode("KEY") }]);
    const error = await importError(
      await importRows("totals", [
        { license_id: license.id, feature: license.metered, total: 9 },
        { license_id: 1111111111111111, feature: license.metered, total: 1 },
        { license_id: license.id, feature: "nope", total: 1 },
        { license_id: license.id, feature: license.pro, total: 1 },
        { license_id: perpetual, total: 1 },
        { license_id: license.id, feature: license.metered, total: 2 },
        { license_id: license.id, feature: license.metered, total: -1 },
        { license_id: license.id, total: 2 ** 53 },
      ]),
    );
    expect(error.errors).toEqual([
      { row: 2, field: "license_id", message: "no license 1111111111111111 here: import the licenses first" },
      { row: 3, field: "feature", message: `license ${license.id} has no feature "nope"` },
      { row: 4, field: "feature", message: `"${license.pro}" is an activation feature: it has no total` },
      {
        row: 5,
        field: "feature",
        message: `license ${perpetual} is a perpetual license: only consumption licenses have a license-level total (name a feature)`,
      },
      { row: 6, field: "feature", message: "repeats row 1" },
      { row: 7, field: "total", message: "total must not be negative" },
      { row: 8, field: "total", message: "total must be an integer of at most 2^53 - 1" },
    ]);
    const detail = await manageOk("GET", `/api/v1/licenses/${license.id}`);
    expect(detail.features[0].total_consumptions).toBe(0);
    await flushAudit(license.licenseFeatureId);
    expect(await auditRows(license.licenseFeatureId)).toEqual([]);
  });
});

describe("an import racing consumptions", () => {
  it("is serialised with them: every consumption counts before or after it, and the audit log replays to the total", async () => {
    const product = await importProduct({ features: [{ allow_unlimited_consumptions: true }] });
    const id = licenseSpringId();
    const hardwareId = uniqueCode("hw");
    await importOk("licenses", [{ id, product: product.short_code, license_key: uniqueCode("KEY") }]);
    await importOk("devices", [{ license_id: id, hardware_id: hardwareId }]);
    const detail = await manageOk("GET", `/api/v1/licenses/${id}`);
    const identity = {
      product: product.short_code,
      license_key: detail.license_key,
      hardware_id: hardwareId,
      feature: product.features[0],
    };
    const consumptions = Array.from({ length: 30 }, () => postSigned("/api/v4/add_feature_consumption", identity, credentials));
    const [imported, ...responses] = await Promise.all([
      importOk("totals", [{ license_id: id, feature: product.features[0], total: 1000 }]),
      ...consumptions,
    ]);
    expect(imported.results[0].total).toBe(1000);
    expect(responses.every((response) => response.status === 200)).toBe(true);

    await flushAudit(detail.features[0].id);
    const audit = await auditRows(detail.features[0].id);
    expect(audit.filter((row) => row.event === "consumption_add")).toHaveLength(30);
    expect(audit.filter((row) => row.event === "import")).toHaveLength(1);
    const after = audit.length - 1 - audit.findIndex((row) => row.event === "import");
    const live = (await manageOk("GET", `/api/v1/licenses/${id}`)).features[0].total_consumptions;
    expect(live).toBe(1000 + after);
    expect(replay(audit)).toBe(live);
  });
});
