// The audit queue's consumer treats messages one by one: a message that is not an audit message,
// or whose rows D1 refuses, is retried on its own and never holds the rest of its batch; after its
// retries it moves to the dead-letter queue, whose consumer writes well-formed rows like the main
// consumer and records what it still cannot write in audit_dead_letters. All of it on the real
// local queues, with the Worker's own queue handler. D1 refusing one row is real too: a trigger
// that aborts the insert of a row whose hardware id says "poison".
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { auditWrites } from "../../src/audit/audit-consumer";
import { listDeadLetters, type SequencedAuditRow } from "../../src/db/consumption-audit";
import { auditRows, eventually } from "../support/audit";
import { createFixture, type Fixture } from "../support/fixtures";

let seq = 0;
function row(fixture: Fixture, hardwareId = fixture.hardwareId): SequencedAuditRow {
  seq += 1;
  return {
    seq,
    event_id: crypto.randomUUID(),
    license_id: fixture.licenseId,
    license_feature_id: fixture.licenseFeatureId,
    feature_code: fixture.featureCode,
    hardware_id: hardwareId,
    consumptions: 1,
    total_after: seq,
    event: "consumption_add",
    api_key_id: null,
    created_at: new Date().toISOString(),
  };
}

const POISON = "poison";
async function poisonD1(): Promise<void> {
  await env.DB.exec(
    `CREATE TRIGGER IF NOT EXISTS refuse_poison BEFORE INSERT ON consumption_audit WHEN NEW.hardware_id = '${POISON}' BEGIN SELECT RAISE(ABORT, 'poison row'); END`,
  );
}
afterEach(async () => {
  await env.DB.exec("DROP TRIGGER IF EXISTS refuse_poison");
});

const inD1 = async (fixture: Fixture) => new Set((await auditRows(fixture.licenseFeatureId)).map((one) => one.event_id));
const letterOf = async (eventId: string) => (await listDeadLetters(env.DB)).find((letter) => letter.body.includes(eventId));

describe("the audit consumer, message by message", () => {
  it("on the audit queue: a message that is not an audit message is retried alone; the rest of its batch is written", async () => {
    const fixture = await createFixture();
    const good = [row(fixture), row(fixture)];
    const retriedBefore = auditWrites.retried;
    await env.AUDIT_QUEUE.sendBatch([
      { body: { rows: [good[0]] }, contentType: "json" },
      { body: { rows: [{ ...row(fixture), consumptions: "one" }] }, contentType: "json" },
      { body: { rows: [good[1]] }, contentType: "json" },
    ]);
    await eventually(async () => (await inD1(fixture)).size === 2, "the two good rows in D1");
    expect([...(await inD1(fixture))].sort()).toEqual(good.map((one) => one.event_id).sort());
    await eventually(async () => auditWrites.retried > retriedBefore, "the malformed message retried");
  });

  it(
    "after its retries a malformed or poison message reaches the dead-letter queue and is recorded there; its batch-mates were written at once",
    { timeout: 60_000 },
    async () => {
      const fixture = await createFixture();
      await poisonD1();
      const good = row(fixture);
      const malformed = { rows: [{ ...row(fixture), event: "no_such_event" }] };
      const poison = row(fixture, POISON);
      await env.AUDIT_SHORT_RETRY_QUEUE.sendBatch([
        { body: malformed, contentType: "json" },
        { body: { rows: [poison] }, contentType: "json" },
        { body: { rows: [good] }, contentType: "json" },
      ]);
      await eventually(async () => (await inD1(fixture)).has(good.event_id), "the good row in D1", 5_000);

      await eventually(
        async () => (await letterOf(malformed.rows[0]!.event_id)) !== undefined && (await letterOf(poison.event_id)) !== undefined,
        "both dead letters recorded",
        40_000,
      );
      const malformedLetter = (await letterOf(malformed.rows[0]!.event_id))!;
      expect(malformedLetter.reason).toBe("malformed");
      expect(malformedLetter.detail).toMatch(/rows\.0\.event/);
      expect(JSON.parse(malformedLetter.body)).toEqual(malformed);
      const poisonLetter = (await letterOf(poison.event_id))!;
      expect(poisonLetter.reason).toBe("write_failed");
      expect(JSON.parse(poisonLetter.body)).toEqual({ rows: [poison] });
      expect(poisonLetter.bodyBytes).toBe(new TextEncoder().encode(poisonLetter.body).byteLength);
      expect(await inD1(fixture)).toEqual(new Set([good.event_id]));
    },
  );

  it("the dead-letter queue writes well-formed messages once, and records what is not an audit message (JSON, text or bytes) whole", async () => {
    const fixture = await createFixture();
    const good = [row(fixture), row(fixture)];
    const before = (await listDeadLetters(env.DB)).length;
    await env.AUDIT_DEAD_LETTER_QUEUE.sendBatch([
      { body: { rows: good }, contentType: "json" },
      { body: { rows: good }, contentType: "json" }, // delivered twice: written once
      { body: { rows: "none" }, contentType: "json" },
      { body: "not an audit message", contentType: "text" },
      { body: new Uint8Array([1, 2, 3]), contentType: "bytes" },
    ]);
    await eventually(async () => (await listDeadLetters(env.DB)).length === before + 3, "three dead letters", 20_000);
    expect(await inD1(fixture)).toEqual(new Set(good.map((one) => one.event_id)));
    const letters = (await listDeadLetters(env.DB)).slice(0, 3);
    expect(letters.map((letter) => letter.reason)).toEqual(["malformed", "malformed", "malformed"]);
    expect(letters.map((letter) => letter.body).sort()).toEqual(['"AQID"', '"not an audit message"', '{"rows":"none"}']);
    const mirror = await env.DB.prepare("SELECT total_consumptions FROM license_features WHERE id = ?")
      .bind(fixture.licenseFeatureId)
      .first<number>("total_consumptions");
    expect(mirror).toBe(good[1]!.total_after);
  });
});
