/**
 * Where a floating slot is decided: one pool request (check in, borrow, release, look) against the
 * snapshot and the pool (floating-pool.ts), in the documented precedence: the license (and
 * feature) checks as for a check, then whether it is floating, then borrowing's rules, then the
 * pool. Runs inside the object's transactionSync, so N devices racing for M slots get exactly M.
 * Every refusal is a result (`Denied`).
 */
import { defaultMessage, type ApiErrorCode } from "../errors";
import { isExpired, resolveLicense, resolveLicenseFeature, resolveLicenseToRelease } from "../license-api/resolve-license";
import { refusalOf } from "./access";
import type { FloatingPool, MayHold, PoolSettings } from "./floating-pool";
import { contextOf, type CounterSnapshot } from "./snapshot";
import type { Denied, FloatingOutcome, FloatingRequest } from "./types";

const denied = (code: ApiErrorCode, message = defaultMessage(code)): Denied => ({ kind: "denied", code, message });
const noSlot = (settings: PoolSettings) =>
  denied("floating_not_available", `No available slots for floating license (${settings.size} in use)`);

export function decideFloating(pool: FloatingPool, snapshot: CounterSnapshot, request: FloatingRequest, nowMs: number): FloatingOutcome {
  const context = contextOf(snapshot, request.lookup);
  const { action } = request;
  const { hardwareId } = request.lookup;
  const license = snapshot.license;
  let settings: PoolSettings;
  let look = action.kind === "status";
  const release = action.kind === "release"; // frees a slot of an expired license too
  if (snapshot.feature) {
    const checked = refusalOf(() => resolveLicenseFeature(context, request.lookup, request.access, nowMs, release ? "release" : "read"));
    if (!checked.ok) return checked.denied;
    const { feature } = checked.value;
    if (!feature.floating.isFloatingCloud) {
      if (action.kind === "check_in" || action.kind === "status") return { kind: "not_floating" };
      return denied("feature_not_floating", `License feature "${feature.code}" is not a floating cloud feature`);
    }
    if (isExpired(feature.expiryDate, nowMs)) {
      // An expired feature takes no slot: checking it only looks, borrowing it is refused.
      if (action.kind === "borrow") return denied("feature_expired", `Feature "${feature.code}" expired at ${feature.expiryDate}`);
      if (action.kind === "check_in") look = true;
    }
    settings = { size: feature.floating.users, timeoutMinutes: feature.floating.timeoutMinutes };
  } else {
    const checked = refusalOf(() =>
      release
        ? resolveLicenseToRelease(context, request.lookup, request.access)
        : resolveLicense(context, request.lookup, request.access, nowMs),
    );
    if (!checked.ok) return checked.denied;
    if (!license.floating.isFloatingCloud) {
      if (action.kind === "borrow") {
        return denied("license_borrow_not_allowed", "The license is not a floating cloud license: it has no slot to borrow");
      }
      return { kind: "not_floating" };
    }
    settings = { size: license.floating.users, timeoutMinutes: license.floating.timeoutMinutes };
  }
  const mayHold = mayHoldIn(snapshot);
  if (look) return { kind: "pool", pool: pool.view(hardwareId, nowMs, mayHold), released: false };
  switch (action.kind) {
    case "check_in": {
      const taken = pool.checkIn(hardwareId, settings, nowMs, mayHold);
      return taken ? { kind: "pool", pool: taken, released: false } : noSlot(settings);
    }
    case "borrow": {
      if (!license.floating.canBorrow) return denied("license_borrow_not_allowed");
      const until = borrowEnd(action.borrowedUntil, nowMs, license.floating.maxBorrowHours);
      if (typeof until !== "number") return until;
      const taken = pool.borrow(hardwareId, until, settings, nowMs, mayHold);
      return taken ? { kind: "pool", pool: taken, released: false } : noSlot(settings);
    }
    case "release": {
      const released = pool.release(hardwareId, nowMs, mayHold);
      if (!released && snapshot.feature) return denied("floating_feature_device_not_in_use");
      return { kind: "pool", pool: pool.view(hardwareId, nowMs, mayHold), released };
    }
    case "status":
      return { kind: "pool", pool: pool.view(hardwareId, nowMs, mayHold), released: false };
  }
}

/** Which devices may hold a floating slot: those active on the license and not blacklisted. */
export function mayHoldIn(snapshot: CounterSnapshot): MayHold {
  return (hardwareId) => {
    const device = snapshot.devices.get(hardwareId);
    return device !== undefined && device.active && !device.blacklisted;
  };
}

/** ISO-8601 as LicenseSpring documents borrowed_until: a date, optionally a time (space or T), optionally an offset; UTC without one. */
const BORROWED_UNTIL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * When a borrow asked for `requested` ends (ms since 1970): null asks for the longest allowed (now
 * + max_borrow_time hours, as LicenseSpring documents). borrow_until_not_valid when the text is not
 * such a date, is not in the future, or is later than the longest borrow allows.
 */
export function borrowEnd(requested: string | null, nowMs: number, maxBorrowHours: number): number | Denied {
  const latest = nowMs + maxBorrowHours * 3_600_000;
  if (requested === null) return latest;
  const match = BORROWED_UNTIL.exec(requested);
  if (!match) {
    return denied(
      "borrow_until_not_valid",
      'borrowed_until must be an ISO-8601 date in UTC, e.g. "2026-09-27T23:30:48.016Z", "2026-09-27 23:30" or "2026-09-27"',
    );
  }
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", offset = "Z"] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], Number(fraction.padEnd(3, "0").slice(0, 3)));
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  ) {
    return denied("borrow_until_not_valid", `borrowed_until ${JSON.stringify(requested)} is not a calendar date and time`);
  }
  const offsetMinutes =
    offset === "Z" ? 0 : (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const end = wall - offsetMinutes * 60_000;
  if (end <= nowMs) return denied("borrow_until_not_valid", `borrowed_until ${JSON.stringify(requested)} is not in the future`);
  if (end > latest) {
    return denied(
      "borrow_until_not_valid",
      `borrowed_until ${JSON.stringify(requested)} is later than the longest borrow allows (max_borrow_time ${maxBorrowHours} hours: until ${new Date(latest).toISOString()})`,
    );
  }
  return end;
}
