// Product versions (docs/protocol.md "Versions and installation files"): published with the
// management API, answered by versions and installation_file for the client's environment and
// channel, and as the newest installation_file in license objects and product_details.
import { beforeAll, describe, expect, it } from "vitest";
import { errorCode, getSigned, postSigned, signedBody } from "../support/client";
import type { Credentials } from "../support/fixtures";
import { manage, manageOk, managementError, uniqueCode } from "../support/management-client";

let credentials: Credentials;
beforeAll(async () => {
  const key = await manageOk("POST", "/api/v1/api-keys", {});
  credentials = { id: key.id, apiKey: key.api_key, sharedKey: key.shared_key };
});

const HASH = "0123456789abcdef0123456789abcdef";

/** A product with an activated license and these versions published. */
async function productWithVersions(versions: Array<Record<string, unknown>>) {
  const product = await manageOk("POST", "/api/v1/products", { short_code: uniqueCode("versioned"), name: "Versioned" });
  const published = [];
  for (const version of versions) published.push(await manageOk("POST", `/api/v1/products/${product.id}/versions`, version));
  const license = await manageOk("POST", "/api/v1/licenses", { product_id: product.id, max_activations: 2 });
  const identity = { product: product.short_code, license_key: license.license_key as string, hardware_id: "desktop-1" };
  return { product, published, license, identity };
}

const windows = (version: string, released: string, extra: Record<string, unknown> = {}) => ({
  version,
  environment: "win64",
  channel: "stable",
  release_date: released,
  installation_file: `https://downloads.example.com/app-${version}.msi`,
  hash_md5: HASH,
  size: 1_048_576,
  ...extra,
});

describe("versions and installation_file", () => {
  it("active_license_required before the license is activated; then the versions, newest release first", async () => {
    const { identity } = await productWithVersions([
      windows("1.0.0", "2030-01-01T00:00:00Z"),
      windows("1.1.0", "2030-06-01T00:00:00Z"),
      { version: "1.1.0", environment: "mac", channel: "stable", release_date: "2030-06-02T00:00:00Z" },
    ]);
    expect(await errorCode(await getSigned("/api/v4/versions", identity, credentials))).toBe("active_license_required");
    await signedBody(await postSigned("/api/v4/activate_license", identity, credentials));
    expect(await signedBody(await getSigned("/api/v4/versions", { ...identity, env: "win64" }, credentials))).toEqual([
      { version: "1.1.0", release_date: "2030-06-01T00:00:00.000Z" },
      { version: "1.0.0", release_date: "2030-01-01T00:00:00.000Z" },
    ]);
    expect(await signedBody<unknown[]>(await getSigned("/api/v4/versions", identity, credentials))).toHaveLength(3);
  });

  it("installation_file: the newest, or the version named; version_not_found otherwise", async () => {
    const { identity, product } = await productWithVersions([
      windows("1.0.0", "2030-01-01T00:00:00Z"),
      windows("2.0.0", "2030-09-01T00:00:00Z", { requires_version: "1.0.0", eula_link: "https://example.com/eula" }),
      windows("3.0.0-beta", "2030-10-01T00:00:00Z", { channel: "beta" }),
    ]);
    await signedBody(await postSigned("/api/v4/activate_license", identity, credentials));
    const newest = await signedBody(
      await getSigned("/api/v4/installation_file", { ...identity, env: "win64", channel: "stable" }, credentials),
    );
    expect(newest).toEqual({
      id: expect.any(Number),
      version: "2.0.0",
      installation_file: "https://downloads.example.com/app-2.0.0.msi",
      release_date: "2030-09-01T00:00:00.000Z",
      hash_md5: HASH,
      environment: "win64",
      eula_link: "https://example.com/eula",
      size: "1048576",
      requires_version: "1.0.0",
      channel: "stable",
      company: { id: 1 },
    });
    const named = await signedBody(await getSigned("/api/v4/installation_file", { ...identity, version: "1.0.0" }, credentials));
    expect(named).toMatchObject({ version: "1.0.0", installation_file: "https://downloads.example.com/app-1.0.0.msi" });
    expect(await errorCode(await getSigned("/api/v4/installation_file", { ...identity, version: "9.9.9" }, credentials))).toBe(
      "version_not_found",
    );
    expect(await errorCode(await getSigned("/api/v4/installation_file", { ...identity, env: "linux" }, credentials))).toBe(
      "version_not_found",
    );
    expect(product.id).toBeGreaterThan(0);
  });

  it("a disabled version is withdrawn from clients at once", async () => {
    const { identity, product, published } = await productWithVersions([
      windows("1.0.0", "2030-01-01T00:00:00Z"),
      windows("1.0.1", "2030-02-01T00:00:00Z"),
    ]);
    await signedBody(await postSigned("/api/v4/activate_license", identity, credentials));
    await manageOk("PATCH", `/api/v1/products/${product.id}/versions/${published[1].id}`, { enabled: false });
    expect(await signedBody(await getSigned("/api/v4/installation_file", identity, credentials))).toMatchObject({ version: "1.0.0" });
    expect((await manageOk("GET", `/api/v1/products/${product.id}/versions`)).data.map((v: { enabled: boolean }) => v.enabled)).toEqual([
      false,
      true,
    ]);
  });

  it("license objects carry the newest installation_file for the client's build; product_details its latest_version", async () => {
    const { identity } = await productWithVersions([windows("1.0.0", "2030-01-01T00:00:00Z"), windows("1.2.0", "2030-03-01T00:00:00Z")]);
    const activated = await signedBody<{ installation_file: Record<string, unknown> | null }>(
      await postSigned("/api/v4/activate_license", { ...identity, env: "win64" }, credentials),
    );
    expect(activated.installation_file).toMatchObject({ version: "1.2.0", environment: "win64", channel: "stable", hash_md5: HASH });
    const checked = await signedBody<{ installation_file: unknown }>(
      await getSigned("/api/v4/check_license", { ...identity, env: "mac" }, credentials),
    );
    expect(checked.installation_file).toBeNull();
    const details = await signedBody<{ latest_version: Record<string, unknown> }>(
      await getSigned("/api/v4/product_details", { product: identity.product, include_latest_version: true }, credentials),
    );
    expect(details.latest_version).toMatchObject({
      version: "1.2.0",
      full_link: "https://downloads.example.com/app-1.2.0.msi",
      filename: "app-1.2.0.msi",
      enabled: true,
    });
  });
});

describe("the management API: versions", () => {
  it("validation and conflicts", async () => {
    const { product } = await productWithVersions([windows("1.0.0", "2030-01-01T00:00:00Z")]);
    const path = `/api/v1/products/${product.id}/versions`;
    expect((await managementError(await manage("POST", path, windows("1.0.0", "2030-01-01T00:00:00Z")))).code).toBe("conflict");
    expect((await managementError(await manage("POST", path, windows("1.0.1", "not a date")))).code).toBe("validation_error");
    expect((await managementError(await manage("POST", path, windows("1.0.2", "2030-01-01T00:00:00Z", { hash_md5: "xyz" })))).code).toBe(
      "validation_error",
    );
    expect(
      (await managementError(await manage("POST", path, windows("1.0.3", "2030-01-01T00:00:00Z", { installation_file: "ftp://x/y" }))))
        .code,
    ).toBe("validation_error");
    expect((await managementError(await manage("PATCH", `${path}/999999`, { enabled: false }))).code).toBe("not_found");
    expect(
      (await managementError(await manage("POST", `/api/v1/products/999999/versions`, windows("1", "2030-01-01T00:00:00Z")))).code,
    ).toBe("not_found");
  });
});
