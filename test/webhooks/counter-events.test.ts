// The counter object's events (docs/usage-and-webhooks.md "Events"), each decided in the transaction
// that caused it and delivered, signed, to a real HTTP receiver: overage and limit crossings, the end
// of a consumption period (also recorded as the period's total), a floating pool filling up. The
// clock is vitest's fake Date, which the Worker and its objects read too.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eventually, flushAudit } from "../support/audit";
import { consume, getSigned } from "../support/client";
import { addDevices, createApiKey, createFixture, type Credentials } from "../support/fixtures";
import { uniqueCode } from "../support/management-client";
import { received, receiverUrl, registerEndpoint, verified } from "../support/webhooks";

let credentials: Credentials;
beforeAll(async () => {
  credentials = await createApiKey();
});
afterEach(() => {
  vi.useRealTimers();
});

async function consumeAll(fixture: Parameters<typeof consume>[0], amounts: number[]): Promise<number[]> {
  const statuses = [];
  for (const consumptions of amounts) {
    const response = await consume(fixture, credentials, { consumptions });
    statuses.push(response.status);
    await response.body?.cancel();
  }
  return statuses;
}

/** The webhooks the receiver got for `name`, verified, once `count` arrived. */
async function webhooksOf(name: string, secret: string, count: number) {
  await eventually(async () => (await received(name)).length >= count, `${count} webhooks for ${name}`, 20_000);
  return (await received(name)).map((webhook) => verified(secret, webhook));
}

describe("counter events", () => {
  it("overage used and limit reached fire once each, with the totals that crossed them", async () => {
    const name = uniqueCode("overage");
    const endpoint = await registerEndpoint({
      url: receiverUrl(`ok/${name}`),
      events: ["consumption.overage_used", "consumption.limit_reached", "consumption.threshold_reached"],
      thresholds: [100],
    });
    const fixture = await createFixture({ feature: { maxConsumption: 10, allowOverages: true, maxOverages: 5 } });
    expect(await consumeAll(fixture, [9, 2, 2, 2, 1])).toEqual([200, 200, 200, 200, 400]);
    await flushAudit(fixture.licenseFeatureId);
    const bodies = await webhooksOf(name, endpoint.secret, 3);
    expect(bodies.map((body) => [body.type, body.data.total_consumptions]).sort()).toEqual([
      ["consumption.limit_reached", 15],
      ["consumption.overage_used", 11],
      ["consumption.threshold_reached", 11],
    ]);
  });

  it("the end of a period is announced with its total and recorded as the period's total", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse("2031-05-20T08:00:00.000Z"));
    const name = uniqueCode("period");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["consumption.period_reset"] });
    const fixture = await createFixture({
      feature: { maxConsumption: 5, allowOverages: true, maxOverages: 10, resetConsumption: true, consumptionPeriod: "monthly" },
    });
    expect(await consumeAll(fixture, [4, 3])).toEqual([200, 200]);
    // Next month's first consumption ends May's period: its total was 7, 2 of them over the cap.
    vi.setSystemTime(Date.parse("2031-06-02T09:00:00.000Z"));
    expect(await consumeAll(fixture, [1])).toEqual([200]);
    await flushAudit(fixture.licenseFeatureId);

    const [body] = await webhooksOf(name, endpoint.secret, 1);
    expect(body).toMatchObject({
      type: "consumption.period_reset",
      data: {
        license_id: fixture.licenseId,
        license_feature_id: fixture.licenseFeatureId,
        period: "monthly",
        period_start: "2031-05-01T00:00:00.000Z",
        period_end: "2031-06-01T00:00:00.000Z",
        total_consumptions: 7,
        max_consumption: 5,
        overage: 2,
      },
    });
    expect(
      await env.DB.prepare(
        "SELECT period, period_start, period_end, total_consumptions, max_consumption, overage FROM usage_periods WHERE license_feature_id = ?",
      )
        .bind(fixture.licenseFeatureId)
        .all(),
    ).toMatchObject({
      results: [
        {
          period: "monthly",
          period_start: "2031-05-01T00:00:00.000Z",
          period_end: "2031-06-01T00:00:00.000Z",
          total_consumptions: 7,
          max_consumption: 5,
          overage: 2,
        },
      ],
    });
  });

  it("a floating feature's pool filling up is announced once per filling", async () => {
    const name = uniqueCode("pool");
    const endpoint = await registerEndpoint({ url: receiverUrl(`ok/${name}`), events: ["floating.pool_exhausted"] });
    const fixture = await createFixture({ feature: { floatingUsers: 2 } });
    const devices = [fixture.hardwareId, ...(await addDevices(fixture, 2))];
    const check = (hardwareId: string) =>
      getSigned(
        "/api/v4/check_license_feature",
        { ...fixture.identity, hardware_id: hardwareId, feature: fixture.featureCode },
        credentials,
      );
    const statuses = [];
    // Two take the two slots (the second fills the pool), the first checks again, the third finds none.
    for (const hardwareId of [devices[0]!, devices[1]!, devices[0]!, devices[2]!]) {
      const response = await check(hardwareId);
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 400]);
    const bodies = await webhooksOf(name, endpoint.secret, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await received(name)).length).toBe(1);
    expect(bodies[0]).toMatchObject({
      type: "floating.pool_exhausted",
      data: { license_feature_id: fixture.licenseFeatureId, floating_users: 2, hardware_id: devices[1] },
    });
  });
});
