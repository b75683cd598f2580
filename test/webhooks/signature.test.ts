// Webhook signatures are Standard Webhooks' (src/webhooks/webhook-signature.ts): the specification's
// own test vector, and secrets of the specification's form.
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { newWebhookSecret, signatureHeaders } from "../../src/webhooks/webhook-signature";

describe("webhook signatures", () => {
  it("match the Standard Webhooks test vector", () => {
    const headers = signatureHeaders(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("new secrets are whsec_ and 32 random bytes, and sign what a receiver verifies", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newWebhookSecret()).not.toBe(secret);
    const body = JSON.stringify({ type: "consumption.threshold_reached", data: { threshold_percent: 80 } });
    const headers = signatureHeaders(secret, "event-1", new Date(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(/signature/i);
  });
});
