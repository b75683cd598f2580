// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: declared here.
declare namespace Cloudflare {
  interface Env {
    /** RSA private key, PKCS#8 PEM: signs License API responses. `wrangler secret put LICENSE_SIGNING_KEY`. */
    LICENSE_SIGNING_KEY: string;
    /** The vendor's management key: `Authorization: Api-Key <key>` on /api/v1. `wrangler secret put MANAGEMENT_KEY`. */
    MANAGEMENT_KEY: string;
  }
}
