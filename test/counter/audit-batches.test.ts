// packAuditSend, the pure packing of outbox rows into one send (docs/architecture.md "Queue
// sizing"): every message and every sendBatch within Cloudflare's limits by bytes and by count,
// measured as the queue measures them (the message's JSON, in UTF-8), whatever the rows hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonBytes } from "../../src/audit/audit-message";
import { packAuditSend, QUEUE_LIMITS, SEND_BUDGET, type AuditSend } from "../../src/counter/audit-batches";
import type { CounterEvent } from "../../src/counter/event-outbox";
import type { OutboxRow, SetAsideRow } from "../../src/counter/outbox";
import type { RefusalReport } from "../../src/audit/audit-message";

const MAX = Number.MAX_SAFE_INTEGER;

function row(seq: number, hardwareId: string | null, featureCode: string | null = "f".repeat(64)): OutboxRow {
  return {
    seq,
    event_id: crypto.randomUUID(),
    license_id: MAX,
    license_feature_id: MAX,
    feature_code: featureCode,
    hardware_id: hardwareId,
    consumptions: -MAX,
    total_after: MAX,
    event: "offline_floating_consumptions_sync",
    api_key_id: MAX,
    created_at: new Date().toISOString(),
    overage: -MAX,
  };
}

const rows = (count: number, hardwareId: string | null) => Array.from({ length: count }, (_, i) => row(i + 1, hardwareId));

/** The send is within the budget and the platform's limits, and carries a prefix of the rows that fit, in order. */
function expectWithinLimits(send: AuditSend, input: readonly OutboxRow[]): void {
  const sizes = send.messages.map((message) => jsonBytes(message));
  for (const size of sizes) expect(size).toBeLessThanOrEqual(SEND_BUDGET.messageBytes);
  expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(SEND_BUDGET.batchBytes);
  expect(send.messages.length).toBeLessThanOrEqual(QUEUE_LIMITS.batchMessages);
  for (const message of send.messages) expect(message.rows.length).toBeLessThanOrEqual(SEND_BUDGET.messageRows);
  const carried = send.messages.flatMap((message) => message.rows);
  const tooLarge = new Set(send.tooLarge.map((one) => one.seq));
  const fitting = input.filter((one) => !tooLarge.has(one.seq));
  expect(carried).toEqual(fitting.slice(0, carried.length));
  expect(send.through).toBe(carried.at(-1)?.seq ?? null);
  for (const one of send.tooLarge) expectTooLarge(one, SEND_BUDGET.messageBytes);
}

/** A row handed back as too large: its size is its JSON's, and no message could carry it alone. */
function expectTooLarge({ bytes, ...one }: SetAsideRow, messageBytes: number): void {
  expect(bytes).toBe(jsonBytes(one));
  expect(jsonBytes({ rows: [one] })).toBeGreaterThan(messageBytes);
}

describe("packAuditSend", () => {
  it("the budget leaves room under each of the platform's limits", () => {
    expect(SEND_BUDGET.messageBytes).toBeLessThan(QUEUE_LIMITS.messageBytes);
    expect(SEND_BUDGET.batchBytes).toBeLessThan(QUEUE_LIMITS.batchBytes);
    expect(SEND_BUDGET.batchMessages).toBeLessThanOrEqual(QUEUE_LIMITS.batchMessages);
  });

  it("counts a message's bytes exactly as its JSON", () => {
    const send = packAuditSend(rows(3, "€".repeat(10)), { ...SEND_BUDGET, messageRows: 2 });
    expect(send.messages.map((message) => message.rows.length)).toEqual([2, 1]);
    const exact = jsonBytes(send.messages[0]);
    // The same two rows under a message budget one byte smaller go in two messages.
    const tighter = packAuditSend(rows(2, "€".repeat(10)), { ...SEND_BUDGET, messageBytes: exact - 1 });
    expect(tighter.messages.map((message) => message.rows.length)).toEqual([1, 1]);
    expect(packAuditSend(rows(2, "€".repeat(10)), { ...SEND_BUDGET, messageBytes: exact }).messages).toHaveLength(1);
  });

  it.each([
    ["the largest rows the API accepts (256 × '€')", "€".repeat(256)],
    ["the issue's rows (256 × U+0001, 6 bytes each in JSON)", "\u0001".repeat(256)],
    ["ordinary rows", "a".repeat(64)],
  ])("500 of %s: within every limit", (_name, hardwareId) => {
    const input = rows(500, hardwareId);
    const send = packAuditSend(input);
    expectWithinLimits(send, input);
    expect(send.tooLarge).toEqual([]);
    expect(send.through).not.toBeNull();
  });

  it('the largest row the API can produce (docs/architecture.md "Queue sizing") is 1,216 bytes: 82 of them fill a message', () => {
    const largest = row(MAX, "€".repeat(256));
    expect(jsonBytes(largest)).toBe(1216);
    expect(packAuditSend(Array.from({ length: 100 }, (_, i) => ({ ...largest, seq: MAX - 100 + i }))).messages[0]!.rows).toHaveLength(82);
  });

  it("a row no message can carry is handed back with its size, and the rows around it are packed", () => {
    const input = [row(1, "a"), row(2, "h".repeat(SEND_BUDGET.messageBytes)), row(3, "b")];
    const send = packAuditSend(input);
    expect(send.messages.flatMap((message) => message.rows.map((one) => one.seq))).toEqual([1, 3]);
    expect(send.tooLarge.map((one) => [one.seq, one.bytes])).toEqual([[2, jsonBytes(input[1])]]);
    expect(send.through).toBe(3);
  });

  it("property: any rows, any budget: within the budget, in order, nothing lost", () => {
    const text = fc.option(fc.oneof(fc.string({ unit: "binary", maxLength: 3000 }), fc.string({ unit: "grapheme", maxLength: 300 })), {
      nil: null,
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, text), { maxLength: 300 }),
        fc.record({
          messageBytes: fc.integer({ min: 200, max: 20_000 }),
          extraBatchBytes: fc.integer({ min: 0, max: 40_000 }),
          batchMessages: fc.integer({ min: 1, max: 100 }),
          messageRows: fc.integer({ min: 1, max: 100 }),
        }),
        (texts, { extraBatchBytes, ...limits }) => {
          const budget = { ...limits, batchBytes: limits.messageBytes + extraBatchBytes };
          const input = texts.map(([hardwareId, featureCode], i) => row(i + 1, hardwareId, featureCode));
          const send = packAuditSend(input, budget);
          const sizes = send.messages.map((message) => jsonBytes(message));
          for (const size of sizes) expect(size).toBeLessThanOrEqual(budget.messageBytes);
          expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(budget.batchBytes);
          expect(send.messages.length).toBeLessThanOrEqual(budget.batchMessages);
          for (const message of send.messages) expect(message.rows.length).toBeLessThanOrEqual(budget.messageRows);
          for (const one of send.tooLarge) expectTooLarge(one, budget.messageBytes);
          // Rows carried and set aside are, together, the oldest rows up to the last one carried, in order.
          const handled = new Set([...send.messages.flatMap((message) => message.rows), ...send.tooLarge].map((one) => one.seq));
          const upTo = send.through ?? 0;
          for (const one of input) if (one.seq <= upTo) expect(handled.has(one.seq)).toBe(true);
          // Something is always taken when there is something: a send never stalls on the rows it was given.
          if (input.length > 0) expect(send.messages.length + send.tooLarge.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("events and refusal counts travel first, within the budget, leaving the rows the rest", () => {
    const events = Array.from({ length: 150 }, (_, i) => event(i + 1));
    const refusals = Array.from({ length: 30 }, (_, i) => refusal(i));
    const input = rows(500, "a".repeat(64));
    const send = packAuditSend(input, SEND_BUDGET, { events, refusals });
    const sizes = send.messages.map((message) => jsonBytes(message));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(SEND_BUDGET.messageBytes);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(SEND_BUDGET.batchBytes);
    expect(send.messages.length).toBeLessThanOrEqual(SEND_BUDGET.batchMessages);
    const carriedEvents = send.messages.flatMap((message) => message.events ?? []);
    expect(carriedEvents).toEqual(events);
    expect(send.eventsThrough).toBe(150);
    expect(send.messages.flatMap((message) => message.refusals ?? [])).toEqual(refusals);
    expect(send.refusals).toEqual(refusals);
    for (const message of send.messages) {
      expect(message.rows.length + (message.events?.length ?? 0) + (message.refusals?.length ?? 0)).toBeLessThanOrEqual(
        SEND_BUDGET.messageRows,
      );
    }
    // The rows take what is left, in order.
    const carried = send.messages.flatMap((message) => message.rows);
    expect(carried.length).toBeGreaterThan(0);
    expect(carried).toEqual(input.slice(0, carried.length));
  });

  it("property: any signals and rows, any budget: within the budget, in order, something taken", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 200 }),
        fc.record({
          messageBytes: fc.integer({ min: 2_000, max: 20_000 }),
          extraBatchBytes: fc.integer({ min: 0, max: 40_000 }),
          batchMessages: fc.integer({ min: 1, max: 100 }),
          messageRows: fc.integer({ min: 1, max: 100 }),
        }),
        (eventCount, refusalCount, rowCount, { extraBatchBytes, ...limits }) => {
          const budget = { ...limits, batchBytes: limits.messageBytes + extraBatchBytes };
          const events = Array.from({ length: eventCount }, (_, i) => event(i + 1));
          const refusals = Array.from({ length: refusalCount }, (_, i) => refusal(i));
          const send = packAuditSend(rows(rowCount, "x".repeat(40)), budget, { events, refusals });
          const sizes = send.messages.map((message) => jsonBytes(message));
          for (const size of sizes) expect(size).toBeLessThanOrEqual(budget.messageBytes);
          expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(budget.batchBytes);
          expect(send.messages.length).toBeLessThanOrEqual(budget.batchMessages);
          const carriedEvents = send.messages.flatMap((message) => message.events ?? []);
          expect(carriedEvents).toEqual(events.slice(0, carriedEvents.length));
          expect(send.eventsThrough).toBe(carriedEvents.at(-1)?.seq ?? null);
          const carriedRefusals = send.messages.flatMap((message) => message.refusals ?? []);
          expect(send.refusals).toEqual(carriedRefusals);
          // Refusals only after every event: events go first.
          if (carriedRefusals.length > 0) expect(carriedEvents).toHaveLength(eventCount);
          if (eventCount + refusalCount + rowCount > 0) expect(send.messages.length).toBeGreaterThan(0);
        },
      ),
      {
        numRuns: 200,
        // One message a send, with and without rows: the signals still travel.
        examples: [
          [3, 2, 0, { messageBytes: 2_000, extraBatchBytes: 0, batchMessages: 1, messageRows: 100 }],
          [3, 2, 5, { messageBytes: 2_000, extraBatchBytes: 0, batchMessages: 1, messageRows: 100 }],
        ],
      },
    );
  });
});

function event(seq: number): CounterEvent {
  return {
    seq,
    event_id: crypto.randomUUID(),
    type: "consumption.threshold_reached",
    occurred_at: new Date().toISOString(),
    data: { license_id: MAX, license_key: "K".repeat(64), license_feature_id: MAX, feature_code: "f".repeat(64), threshold_percent: 80 },
  };
}

function refusal(i: number): RefusalReport {
  return {
    license_id: MAX,
    license_feature_id: MAX,
    hour: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    over_limit: MAX,
    negative: MAX,
  };
}
