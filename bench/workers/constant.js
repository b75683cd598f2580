// The runtime floor: a Worker that returns a constant response. It does no work of its own, so
// what it costs is what workerd (HTTP parsing, isolate dispatch, the response) costs per request.
// Its response has the same size and headers as the real add_feature_consumption answer (a body
// of the same shape and a LicenseSignature header of the same length), so the bytes on the wire
// match the other Workers. Like them it reads the request body (a few hundred bytes) and ignores
// it: receiving the request is part of any endpoint's cost, and a handler that leaves the body
// unread makes workerd drain it, or reset the connection when reached through Miniflare's entry
// Worker (BENCH_VIA_ENTRY=1).
import { consumptionAnswer } from "./license-crypto.js";

const BODY = consumptionAnswer(1);
// An RSA-2048 signature is 256 bytes: 344 characters of base64.
const SIGNATURE = "A".repeat(342) + "==";

export default {
  /** @param {Request} request */
  async fetch(request) {
    await request.arrayBuffer();
    return new Response(BODY, { headers: { "Content-Type": "application/json", LicenseSignature: SIGNATURE } });
  },
};
