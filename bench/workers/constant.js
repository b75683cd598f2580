// The runtime floor: a Worker that returns a constant response. It does no work of its own, so
// what it costs is what workerd (HTTP parsing, isolate dispatch, the response) costs per request.
// Its response has the same size and headers as the real add_feature_consumption answer (a body
// of the same shape and a LicenseSignature header of the same length), so the bytes on the wire
// match the other two Workers. It does not read the request body; neither does the crypto floor.

const BODY = JSON.stringify({
  id: 1,
  license_id: 1,
  company: { id: 1 },
  total_consumptions: 1,
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
// An RSA-2048 signature is 256 bytes: 344 characters of base64.
const SIGNATURE = "A".repeat(342) + "==";

export default {
  fetch() {
    return new Response(BODY, { headers: { "Content-Type": "application/json", LicenseSignature: SIGNATURE } });
  },
};
