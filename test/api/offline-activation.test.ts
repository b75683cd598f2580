// activate_offline and deactivate_offline through HTTP (docs/protocol.md "Offline activation"): the
// request files as LicenseSpring's SDKs write them (the Node SDK's schema 2 with JSON.stringify
// text, the Python SDK's json.dumps text with a schema 1 signature inside, schema 1 alone, a hex
// schema 2 signature), the signatures the answer carries, and every refusal. test/sdk/ runs the
// official SDK through the same flow.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../src/base64";
import { callWorker, errorCode, getSigned, postSigned, signedBody } from "../support/client";
import { createApiKey, createFixture, type Credentials, type Fixture } from "../support/fixtures";
import { authHeaders } from "../support/signing";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});

const encoder = new TextEncoder();

async function hmac(sharedKey: string, text: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(sharedKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
}

const base64 = (text: string) => encodeBase64(encoder.encode(text));

/** Python's json.dumps with its default separators (", " and ": "), for the flat objects an offline request is. */
function pythonDumps(value: unknown): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value))
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonDumps(item)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

type Style = "node" | "python" | "schema-1" | "hex";

/** An offline request file as each SDK writes it, signed with `as`'s shared key. */
async function requestFile(request: Record<string, unknown>, style: Style, as: Credentials = credentials): Promise<string> {
  const date = new Date().toUTCString();
  const identifier = (request.license_key ?? request.username) as string;
  const v1 = encodeBase64(await hmac(as.sharedKey, `licenseSpring\ndate: ${date}\n${identifier}\n${request.hardware_id}\n${as.apiKey}`));
  if (style === "schema-1") return base64(JSON.stringify({ ...request, date, api_key: as.apiKey, signature: v1 }));
  if (style === "python") {
    const data = { ...request, date, schema_version: 2, signature: v1, api_key: as.apiKey };
    const signature = encodeBase64(await hmac(as.sharedKey, pythonDumps(data)));
    return base64(`{"request": ${pythonDumps(data)}, "signature": ${JSON.stringify(signature)}}`);
  }
  const data = { ...request, sdk_ver: "1.4.17", request_id: crypto.randomUUID(), schema_version: 2, api_key: as.apiKey, date };
  const mac = await hmac(as.sharedKey, JSON.stringify(data));
  const signature = style === "hex" ? Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("") : encodeBase64(mac);
  return base64(JSON.stringify({ request: data, signature }));
}

async function postFile(path: string, file: string, as: Credentials = credentials): Promise<Response> {
  return callWorker(path, { method: "POST", headers: { ...(await authHeaders(as)), "Content-Type": "text/plain" }, body: file });
}

const activation = (fixture: Fixture, hardwareId: string) => ({
  ...fixture.identity,
  hardware_id: hardwareId,
  request: "activation",
  hostname: "air-gapped-box",
});

/** The service's public key, as a client configures it. */
async function publicKey(): Promise<CryptoKey> {
  const pem = await (await callWorker("/api/v4/public_key", {})).text();
  const der = decodeBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""))!;
  return crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
}

describe("activate_offline", () => {
  it.each(["node", "python", "schema-1", "hex"] as const)("activates from a %s request file", async (style) => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 3 } });
    const hardwareId = `offline-${style}`;
    const answer = await signedBody<Record<string, unknown>>(
      await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, hardwareId), style)),
    );
    expect(answer).toMatchObject({ hardware_id: hardwareId, license_key: fixture.licenseKey, license_active: true, request: "activation" });
    // The device is activated: it may check the license.
    await signedBody(await getSigned("/api/v4/check_license", { ...fixture.identity, hardware_id: hardwareId }, credentials));
  });

  it("the answer carries the offline file's signatures, as the SDK checks them", async () => {
    const fixture = await createFixture({ noDevice: true });
    const answer = await signedBody<Record<string, unknown>>(
      await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, "sig-box"), "node")),
    );
    // license_signature_v2: over the answer without license_signature and license_signature_v2.
    const { license_signature: _v1, license_signature_v2: v2, ...rest } = answer;
    const ok = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      await publicKey(),
      decodeBase64(v2 as string)!,
      encoder.encode(JSON.stringify(rest)),
    );
    expect(ok).toBe(true);
    // offline_signature: HMAC under the shared key over the date, key, device and API key.
    const expected = encodeBase64(
      await hmac(credentials.sharedKey, `licenseSpring\ndate: ${answer.date}\n${fixture.licenseKey}\nsig-box\n${credentials.apiKey}`),
    );
    expect(answer.offline_signature).toBe(expected);
  });

  it("a file changed after it was signed is signature_mismatch, and activates nothing", async () => {
    const fixture = await createFixture({ noDevice: true });
    const file = await requestFile(activation(fixture, "honest-box"), "node");
    const tampered = base64(new TextDecoder().decode(decodeBase64(file)!).replace("honest-box", "other-box"));
    expect(await errorCode(await postFile("/api/v4/activate_offline", tampered))).toBe("signature_mismatch");
    expect(await errorCode(await getSigned("/api/v4/check_license", { ...fixture.identity, hardware_id: "other-box" }, credentials))).toBe(
      "device_not_found",
    );
  });

  it("a file made for another API key is signature_mismatch", async () => {
    const fixture = await createFixture({ noDevice: true });
    const other = await createApiKey();
    const file = await requestFile(activation(fixture, "box"), "node", other);
    const response = await postFile("/api/v4/activate_offline", file);
    expect(await errorCode(response)).toBe("signature_mismatch");
  });

  it("missing_content for an empty file; authorization_missing_params for what is not a request file", async () => {
    expect(await errorCode(await postFile("/api/v4/activate_offline", ""))).toBe("missing_content");
    expect(await errorCode(await postFile("/api/v4/activate_offline", "not base64!"))).toBe("authorization_missing_params");
    expect(await errorCode(await postFile("/api/v4/activate_offline", base64("[1, 2]")))).toBe("authorization_missing_params");
    expect(await errorCode(await postFile("/api/v4/activate_offline", base64('{"request": {"product": "p"}}')))).toBe(
      "authorization_missing_params",
    );
  });

  it("the request's fields are validated like any body's", async () => {
    const fixture = await createFixture({ noDevice: true });
    const file = await requestFile({ ...activation(fixture, "box"), hardware_id: undefined }, "node");
    expect(await errorCode(await postFile("/api/v4/activate_offline", file))).toBe("missing_parameters");
    const deactivation = await requestFile({ ...activation(fixture, "box"), request: "deactivation" }, "node");
    expect(await errorCode(await postFile("/api/v4/activate_offline", deactivation))).toBe("validation_error");
  });

  it("offline_activation_not_allowed when the license forbids it; the license checks apply", async () => {
    const fixture = await createFixture({ noDevice: true, license: { maxActivations: 1 } });
    await env.DB.prepare("UPDATE licenses SET allow_offline_activation = 0 WHERE id = ?").bind(fixture.licenseId).run();
    expect(await errorCode(await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, "box"), "node")))).toBe(
      "offline_activation_not_allowed",
    );
    await env.DB.prepare("UPDATE licenses SET allow_offline_activation = 1 WHERE id = ?").bind(fixture.licenseId).run();
    await signedBody(await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, "box"), "node")));
    expect(await errorCode(await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, "box-2"), "node")))).toBe(
      "license_activated_max_times",
    );
    await env.DB.prepare("UPDATE licenses SET enabled = 0 WHERE id = ?").bind(fixture.licenseId).run();
    expect(await errorCode(await postFile("/api/v4/activate_offline", await requestFile(activation(fixture, "box"), "node")))).toBe(
      "license_not_enabled",
    );
  });

  it("user-based: the file carries the user's password, checked as activate_license checks it", async () => {
    const fixture = await createFixture({ authorizationMethod: "user", password: "the-password", noDevice: true });
    const request = { ...activation(fixture, "user-box"), password: "the-password" };
    expect(await signedBody(await postFile("/api/v4/activate_offline", await requestFile(request, "python")))).toMatchObject({
      hardware_id: "user-box",
      username: fixture.username,
    });
    const wrong = await requestFile({ ...activation(fixture, "user-box-2"), password: "not-the-password" }, "node");
    expect(await errorCode(await postFile("/api/v4/activate_offline", wrong))).toBe("invalid_password");
  });

  it("the signature is checked before the license: no license detail for a caller without the file's key", async () => {
    const other = await createApiKey();
    const file = await requestFile(
      { product: "no-such-product", license_key: "K", hardware_id: "box", request: "activation" },
      "node",
      other,
    );
    expect(await errorCode(await postFile("/api/v4/activate_offline", file))).toBe("signature_mismatch");
  });
});

describe("deactivate_offline", () => {
  const deactivation = (fixture: Fixture) => ({ ...fixture.identity, license_id: fixture.licenseId, variables: {} });

  it.each(["node", "python", "schema-1"] as const)("deactivates from a %s request file", async (style) => {
    const fixture = await createFixture();
    expect(await signedBody(await postFile("/api/v4/deactivate_offline", await requestFile(deactivation(fixture), style)))).toBe(
      "license_deactivated",
    );
    expect(await errorCode(await getSigned("/api/v4/check_license", fixture.identity, credentials))).toBe("device_not_found");
    // Again: the device is no longer active.
    expect(await errorCode(await postFile("/api/v4/deactivate_offline", await requestFile(deactivation(fixture), style)))).toBe(
      "device_not_found",
    );
  });

  it("an activation file is not a deactivation; consumption in the file is not_supported (it would not be applied)", async () => {
    const fixture = await createFixture();
    const file = await requestFile({ ...deactivation(fixture), request: "activation" }, "node");
    expect(await errorCode(await postFile("/api/v4/deactivate_offline", file))).toBe("validation_error");
    const withConsumption = await requestFile({ ...deactivation(fixture), request: "deactivation", consumptions: 3 }, "python");
    expect(await errorCode(await postFile("/api/v4/deactivate_offline", withConsumption))).toBe("not_supported");
    expect(await signedBody(await getSigned("/api/v4/check_license", fixture.identity, credentials))).toMatchObject({
      license_active: true,
    });
  });

  it("a JSON body is read as the file's text: not a request file", async () => {
    const fixture = await createFixture();
    const response = await postSigned("/api/v4/deactivate_offline", fixture.identity, credentials);
    expect(await errorCode(response)).toBe("authorization_missing_params");
  });
});
