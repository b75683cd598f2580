/** GET /api/v4/public_key: the PEM (SPKI) public key that verifies LicenseSignature. Unauthenticated. */
import { signingKeys } from "../../auth/response-signing";

export async function publicKey(_request: Request, env: Env): Promise<Response> {
  const { publicKeyPem } = await signingKeys(env.LICENSE_SIGNING_KEY);
  return new Response(publicKeyPem, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=300" },
  });
}
