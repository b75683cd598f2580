// The crypto floor: only the unavoidable per-request work of the License API, and nothing else:
// one HMAC-SHA256 verification of the request's signature and one RSA-2048 signature over a body
// shaped like the real answer (license-crypto.js). No D1, no Durable Object, no body parsing, no
// validation: the body is read (received) and ignored, as the runtime floor does. A request whose
// HMAC does not verify gets a 400, so the bench would count it as an error: the floor checks for real.
// Bindings: SHARED_KEY (the API key's shared key), LICENSE_SIGNING_KEY (RSA private key, PKCS#8 PEM).
import { badSignature, consumptionAnswer, signedResponse, verifyRequest } from "./license-crypto.js";

let total = 0;

export default {
  /** @param {Request} request @param {import("./license-crypto.js").CryptoEnv} env */
  async fetch(request, env) {
    await request.arrayBuffer();
    if (!(await verifyRequest(request, env))) return badSignature();
    return signedResponse(consumptionAnswer(++total), env);
  },
};
