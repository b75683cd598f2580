// settlePeriod, the pure rule behind periodic resets (docs/protocol.md "Periodic resets"): a real
// boundary of the tracked kind resets, a change of kind never does.
import { describe, expect, it } from "vitest";
import { settlePeriod } from "../../src/counter/consumption-period";
import type { ConsumptionPeriod, ConsumptionRules } from "../../src/counter/consumption-rules";
import type { CounterState } from "../../src/counter/types";

const rules = (consumptionPeriod: ConsumptionPeriod | null, resetConsumption = true): ConsumptionRules => ({
  maxConsumption: 10,
  allowUnlimitedConsumptions: false,
  allowOverages: false,
  maxOverages: 0,
  allowNegativeConsumptions: false,
  resetConsumption,
  consumptionPeriod,
});
const at = (iso: string) => Date.parse(iso);

// [case, stored, rules, now, expected state, cleared]
const cases: Array<[string, CounterState, ConsumptionRules, string, CounterState, number]> = [
  [
    "same period: unchanged",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: "monthly" },
    rules("monthly"),
    "2026-05-20T10:00:00Z",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: "monthly" },
    0,
  ],
  [
    "boundary of the tracked kind: reset",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: "monthly" },
    rules("monthly"),
    "2026-06-01T00:00:00Z",
    { total: 0, periodStart: "2026-06-01T00:00:00.000Z", periodKind: "monthly" },
    7,
  ],
  [
    "several boundaries at once: one reset",
    { total: 7, periodStart: "2026-05-11T00:00:00.000Z", periodKind: "daily" },
    rules("daily"),
    "2026-05-20T10:00:00Z",
    { total: 0, periodStart: "2026-05-20T00:00:00.000Z", periodKind: "daily" },
    7,
  ],
  [
    "monthly → daily: kept, tracks today",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: "monthly" },
    rules("daily"),
    "2026-05-20T10:00:00Z",
    { total: 7, periodStart: "2026-05-20T00:00:00.000Z", periodKind: "daily" },
    0,
  ],
  [
    "daily → annually: kept, tracks the year",
    { total: 7, periodStart: "2026-05-20T00:00:00.000Z", periodKind: "daily" },
    rules("annually"),
    "2026-05-20T10:00:00Z",
    { total: 7, periodStart: "2026-01-01T00:00:00.000Z", periodKind: "annually" },
    0,
  ],
  [
    "resets switched off: kept, nothing tracked",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: "monthly" },
    rules("monthly", false),
    "2026-08-01T00:00:00Z",
    { total: 7, periodStart: null, periodKind: null },
    0,
  ],
  [
    "resets switched on: kept, tracking starts",
    { total: 7, periodStart: null, periodKind: null },
    rules("weekly"),
    "2026-05-20T10:00:00Z",
    { total: 7, periodStart: "2026-05-18T00:00:00.000Z", periodKind: "weekly" },
    0,
  ],
  [
    "a clock set back: no reset",
    { total: 7, periodStart: "2026-06-01T00:00:00.000Z", periodKind: "monthly" },
    rules("monthly"),
    "2026-05-31T23:00:00Z",
    { total: 7, periodStart: "2026-06-01T00:00:00.000Z", periodKind: "monthly" },
    0,
  ],
  [
    "a row stored before kinds were recorded tracks the current kind",
    { total: 7, periodStart: "2026-05-01T00:00:00.000Z", periodKind: undefined },
    rules("monthly"),
    "2026-06-02T00:00:00Z",
    { total: 0, periodStart: "2026-06-01T00:00:00.000Z", periodKind: "monthly" },
    7,
  ],
];

describe("settlePeriod", () => {
  it.each(cases)("%s", (_name, stored, currentRules, now, expected, cleared) => {
    const settled = settlePeriod(stored, currentRules, at(now));
    expect(settled.state).toEqual(expected);
    expect(settled.cleared).toBe(cleared);
  });
});
