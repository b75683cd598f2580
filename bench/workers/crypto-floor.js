// The crypto floor: only the unavoidable per-request work of the License API, and nothing else:
//   1. one HMAC-SHA256 verification of the request's Authorization signature over its Date header
//      (crypto.subtle.verify with a key imported once per isolate, as src/auth/request-signature.ts);
//   2. one RSASSA-PKCS1-v1_5 / SHA-256 signature with a 2048-bit key (imported once per isolate,
//      as src/auth/response-signing.ts) over a JSON body shaped like the real response, returned
//      with a LicenseSignature header.
// No D1, no Durable Object, no body parsing, no validation: the body is read (received) and
// ignored, as the runtime floor does. A request whose HMAC does not verify gets a 400, so the
// benchmark would count it as an error: the floor checks for real.
// Bindings: SHARED_KEY (the API key's shared key), LICENSE_SIGNING_KEY (RSA private key, PKCS#8 PEM).

const encoder = new TextEncoder();
const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

let hmacKey = null;
let rsaKey = null;
let total = 0;

function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

function pemToDer(pem) {
  return base64ToBytes(
    pem
      .replace(/\\n/g, "\n")
      .replace(/-----(BEGIN|END) [A-Z ]+-----/g, "")
      .replace(/\s+/g, ""),
  ).buffer;
}

const SIGNATURE_PARAM = /signature="([^"]*)"/;

export default {
  async fetch(request, env) {
    hmacKey ??= crypto.subtle.importKey("raw", encoder.encode(env.SHARED_KEY), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    rsaKey ??= crypto.subtle.importKey("pkcs8", pemToDer(env.LICENSE_SIGNING_KEY), RSA_SIGN, false, ["sign"]);

    await request.arrayBuffer();
    const match = SIGNATURE_PARAM.exec(request.headers.get("Authorization") ?? "");
    const date = request.headers.get("Date") ?? "";
    const valid =
      match !== null &&
      (await crypto.subtle.verify("HMAC", await hmacKey, base64ToBytes(match[1]), encoder.encode(`licenseSpring\ndate: ${date}`)));
    if (!valid) {
      return new Response('{"status":400,"code":"signature_mismatch","message":"bad signature"}', {
        status: 400,
        headers: { "Content-Type": "application/json" },
      });
    }

    const body = JSON.stringify({
      id: 1,
      license_id: 1,
      company: { id: 1 },
      total_consumptions: ++total,
      max_consumptions: 0,
      allow_unlimited_consumptions: true,
      allow_negative_consumptions: false,
      allow_overages: false,
      max_overages: 0,
      reset_consumption: false,
      consumption_period: null,
      is_floating: false,
      is_floating_cloud: false,
    });
    const signature = await crypto.subtle.sign(RSA_SIGN, await rsaKey, encoder.encode(body));
    return new Response(body, {
      headers: { "Content-Type": "application/json", LicenseSignature: bytesToBase64(new Uint8Array(signature)) },
    });
  },
};
