/**
 * A license: its state and terms, each consumption counter with the real cap, the overage and the
 * next reset (change the cap, reset the counter), a plot per counter, and its devices (deactivate,
 * blacklist). Every figure is the counter object's live state, read through the management API.
 */
import { useState } from "preact/hooks";
import { get, patch, post, type Page } from "../api";
import { ConsumptionPlot, type PlotPoint } from "../plot/consumption-plot";
import { href } from "../router";
import { ActionButton } from "../ui/action-button";
import { ConfirmButton } from "../ui/confirm";
import { FormDialog } from "../ui/form-dialog";
import { hardLimit, licenseName, licenseState, number, seats, type CounterRules } from "../ui/format";
import { Badge, Empty, Loaded, MoreButton, PageHeader, Section, Table, Warnings, dateOnly, dateTime } from "../ui/parts";
import { useResource, usePages } from "../ui/resource";
import { RulesFields, changedRules, rulesForm, type Rules, type RulesForm } from "../ui/rules-fields";
import { periodEnd } from "../../src/counter/consumption-period";
import type { Device, LicenseDetail, LicenseUsage } from "../types";
import { ActivityList } from "./activity";
import { AddFeature, ArchiveToggle, EditTerms, LicenseCustomer, RemoveFeature } from "./license-terms";

/** One consumption counter of a license: a consumption feature, or a consumption license's own counter. */
export interface Counter {
  /** The feature code, or "(license)" for the license's own counter. */
  code: string;
  name: string;
  licenseFeatureId: number | null;
  rules: Rules;
  total: number;
  periodStart: string | null;
  /** What the API flags on the counter (a cap of 0 refusing every consumption, an expired feature). */
  warnings: string[];
}

export function countersOf(license: LicenseDetail): Counter[] {
  const counters: Counter[] = [];
  if (license.consumption) {
    const { max_consumptions, total_consumptions, period_start, warnings, ...rules } = license.consumption;
    counters.push({
      code: "(license)",
      name: "License-level consumption",
      licenseFeatureId: null,
      rules: { ...rules, max_consumption: max_consumptions },
      total: total_consumptions,
      periodStart: period_start,
      warnings,
    });
  }
  for (const feature of license.features)
    if (feature.feature_type === "consumption")
      counters.push({
        code: feature.code,
        name: feature.name,
        licenseFeatureId: feature.id,
        rules: feature,
        total: feature.total_consumptions ?? 0,
        periodStart: feature.period_start,
        warnings: feature.warnings,
      });
  return counters;
}

const counterPath = (licenseId: number, counter: Counter) =>
  counter.licenseFeatureId === null
    ? `/api/v1/licenses/${licenseId}/consumption`
    : `/api/v1/licenses/${licenseId}/features/${encodeURIComponent(counter.code)}`;

export function LicenseView(props: { licenseId: number }) {
  const license = useResource(() => get<LicenseDetail>(`/api/v1/licenses/${props.licenseId}`), [props.licenseId]);
  const devices = usePages(
    (cursor) => get<Page<Device>>(`/api/v1/licenses/${props.licenseId}/devices`, { limit: 100, cursor }),
    [props.licenseId],
  );
  // Bumped by Refresh, so the plots read the rollups again even when no total changed.
  const [refreshes, setRefreshes] = useState(0);
  const usage = useLicenseUsage(license.data, refreshes);
  const reloadAll = () => {
    void license.reload();
    void devices.reload();
    setRefreshes((count) => count + 1);
  };
  return (
    <Loaded loading={license.loading} error={license.error} retry={license.reload} ready={license.data !== undefined}>
      {() => {
        const current = license.data!;
        const { state, tone } = licenseState(current);
        const activeDevices = devices.rows?.filter((device) => device.active && !device.blacklisted).length;
        return (
          <div data-license-id={current.id}>
            <PageHeader
              title={
                <>
                  <span class="mono">{licenseName(current)}</span>{" "}
                  <Badge tone={tone} state={state}>
                    {state}
                  </Badge>
                </>
              }
              subtitle={
                <>
                  License {current.id} of <a href={href("products", current.product_id)}>{current.product_short_code}</a> ·{" "}
                  {current.license_type} · issued {dateOnly(current.created_at)}
                </>
              }
            >
              <button type="button" class="secondary" onClick={reloadAll} disabled={license.loading}>
                Refresh
              </button>
              {!current.archived_at && <EditTerms license={current} after={license.reload} />}
              {!current.archived_at && <EnableToggle license={current} after={license.reload} />}
              <ArchiveToggle license={current} after={license.reload} />
            </PageHeader>
            <Warnings warnings={current.warnings} />
            <div class="columns">
              <Section title="Terms">
                <dl class="facts">
                  <dt>Seats</dt>
                  <dd data-fact="seats">
                    {activeDevices ?? "…"} of {seats(current)} in use
                  </dd>
                  <dt>Valid until</dt>
                  <dd data-fact="validity">{current.validity_period ? dateTime(current.validity_period) : "no expiry"}</dd>
                  <dt>Type</dt>
                  <dd>
                    {current.license_type}
                    {current.is_trial ? ` (trial, ${current.trial_days} days)` : ""}
                  </dd>
                  {current.is_floating_cloud && (
                    <>
                      <dt>Floating</dt>
                      <dd>
                        {current.floating_devices.length} of {current.floating_users} slots in use
                      </dd>
                    </>
                  )}
                </dl>
              </Section>
              <Section title="Customer">
                <LicenseCustomer license={current} />
              </Section>
            </div>
            <Section title="Consumption" wide actions={<AddFeature license={current} after={license.reload} />}>
              {countersOf(current).length === 0 ? (
                <Empty>This license has no metered feature. Add one to its product, with a cap, to count usage.</Empty>
              ) : (
                countersOf(current).map((counter) => (
                  <CounterPanel key={counter.code} license={current} counter={counter} after={license.reload} usage={usage} />
                ))
              )}
              <ActivationFeatures license={current} />
            </Section>
            <Section title="Devices" wide>
              <Loaded loading={devices.loading} error={devices.error} retry={devices.reload} ready={devices.rows !== undefined}>
                {() =>
                  devices.rows!.length === 0 ? (
                    <Empty>No device has activated this license yet. A device appears here at its first activation.</Empty>
                  ) : (
                    <DeviceTable devices={devices.rows!} after={reloadAll} />
                  )
                }
              </Loaded>
              <MoreButton hasMore={devices.hasMore} loading={devices.loading} more={devices.more} />
            </Section>
            <Section title="Activity" wide>
              <ActivityList filters={{ license_id: current.id }} label="Activity of this license" limit={20} reloadOn={current} />
            </Section>
            <p>
              <a href={href("audit", { license: current.id })}>Every consumption of this license in the consumption log</a>
            </p>
          </div>
        );
      }}
    </Loaded>
  );
}

function EnableToggle(props: { license: LicenseDetail; after: () => void }) {
  const name = licenseName(props.license);
  if (!props.license.enabled)
    return (
      <ActionButton
        label="Enable license"
        name="enable-license"
        primary
        what="Enabling the license"
        done={`License ${name} enabled`}
        action={() => post(`/api/v1/licenses/${props.license.id}/enable`)}
        after={props.after}
      />
    );
  return (
    <ConfirmButton
      label="Disable license"
      name="disable-license"
      title={`Disable license ${name}?`}
      confirmLabel="Disable license"
      what="Disabling the license"
      done={`License ${name} disabled`}
      danger
      action={() => post(`/api/v1/licenses/${props.license.id}/disable`)}
      after={props.after}
    >
      Every device using it gets <code>license_not_enabled</code> from its next request on, until the license is enabled again. Totals and
      devices are kept.
    </ConfirmButton>
  );
}

/** When the counter's allowance starts again: the next period boundary, or never. */
function nextReset(counter: Counter): string {
  if (!counter.rules.reset_consumption || !counter.rules.consumption_period) return "never (no periodic reset)";
  return `${counter.rules.consumption_period}, next on ${dateTime(new Date(periodEnd(counter.rules.consumption_period, Date.now())).toISOString())}`;
}

function CounterPanel(props: { license: LicenseDetail; counter: Counter; after: () => void; usage: LicenseUsageRead }) {
  const { counter, license } = props;
  const rules: CounterRules = counter.rules;
  const limit = hardLimit(rules);
  const cap = rules.allow_unlimited_consumptions ? null : rules.max_consumption;
  const overageUsed = cap === null ? 0 : Math.max(0, counter.total - cap);
  const capShare = limit && cap !== null ? cap / limit : 1;
  return (
    <article class="counter" data-counter={counter.code} data-total={counter.total} data-cap={cap ?? ""} data-limit={limit ?? ""}>
      <header class="counter-head">
        <div>
          <h3>
            <span class="mono">{counter.code}</span> <span class="hint">{counter.name}</span>
          </h3>
          <p class="big" data-consumption={`${counter.total}/${cap ?? "unlimited"}`}>
            {number(counter.total)} <span class="of">of {cap === null ? "unlimited" : number(cap)}</span>
          </p>
        </div>
        <div class="actions">
          <ChangeCap license={license} counter={counter} after={props.after} />
          {counter.licenseFeatureId !== null && <RemoveFeature license={license} code={counter.code} after={props.after} />}
          <ConfirmButton
            label="Reset"
            name={`reset-${counter.code}`}
            title={`Reset ${counter.code} to 0?`}
            confirmLabel="Reset counter"
            what="Resetting the counter"
            done={`${counter.code} reset to 0`}
            danger
            action={() => post(`${counterPath(license.id, counter)}/reset`)}
            after={props.after}
          >
            The total ({number(counter.total)}) goes back to 0 now, and the consumption log records it as a manual reset. Devices can
            consume up to the cap again.
          </ConfirmButton>
        </div>
      </header>
      <Warnings warnings={counter.warnings} />
      {limit !== null && (
        <div class={`meter${overageUsed > 0 ? " over" : ""}`} aria-hidden="true">
          <progress max={limit} value={Math.max(0, Math.min(counter.total, limit))} />
          {cap !== null && limit !== cap && <span class="cap-mark" style={{ left: `${(capShare * 100).toFixed(1)}%` }} />}
        </div>
      )}
      <dl class="facts inline">
        <dt>Cap</dt>
        <dd data-fact="cap">{cap === null ? "unlimited" : number(cap)}</dd>
        <dt>Overage</dt>
        <dd data-fact="overage">{rules.allow_overages ? `${number(overageUsed)} of ${number(rules.max_overages)} used` : "not allowed"}</dd>
        <dt>Hard limit</dt>
        <dd data-fact="limit">{limit === null ? "none" : number(limit)}</dd>
        <dt>Resets</dt>
        <dd data-fact="reset">{nextReset(counter)}</dd>
        {counter.periodStart && (
          <>
            <dt>Period since</dt>
            <dd>{dateTime(counter.periodStart)}</dd>
          </>
        )}
        <dt>Used</dt>
        <dd data-fact="used">{cap ? `${Math.round((counter.total / cap) * 100)} % of the cap` : "—"}</dd>
      </dl>
      <CounterPlot counter={counter} usage={props.usage} />
    </article>
  );
}

function ChangeCap(props: { license: LicenseDetail; counter: Counter; after: () => void }) {
  const [form, setForm] = useState<RulesForm>(rulesForm(props.counter.rules));
  const { counter, license } = props;
  function body() {
    const changes = changedRules(form, counter.rules);
    if (counter.licenseFeatureId !== null) return changes;
    const { max_consumption, ...rest } = changes;
    return max_consumption === undefined ? rest : { ...rest, max_consumptions: max_consumption };
  }
  return (
    <FormDialog
      label="Change cap"
      name={`change-cap-${counter.code}`}
      title={`Cap and rules of ${counter.code} on this license`}
      submitLabel="Save"
      what="Changing the cap"
      done={`${counter.code}: cap and rules saved`}
      onOpen={() => setForm(rulesForm(counter.rules))}
      action={() => patch(counterPath(license.id, counter), body())}
      after={props.after}
    >
      <p class="hint">
        These values are this license's own: they apply to the next request of every device, and the product's defaults no longer change
        them.
      </p>
      <RulesFields value={form} onChange={setForm} />
    </FormDialog>
  );
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * A plot's window: the current period of a counter that resets daily, weekly or monthly, else the
 * last 30 days. Always within 31 days, so one hourly usage read covers every plot of a license.
 */
function plotWindow(counter: Counter, now: number): { from: number; label: string } {
  const period = counter.rules.reset_consumption ? counter.rules.consumption_period : null;
  if (counter.periodStart && period && period !== "annually") return { from: Date.parse(counter.periodStart), label: "this period" };
  return { from: now - 30 * DAY_MS, label: "the last 30 days" };
}

/**
 * What the license page plots: the license's hourly rollups over the plots' windows, and its daily
 * rollups over the last year for the periods that ended (two bounded reads, however long the
 * history: at most 744 hours and 366 days per counter).
 */
export function useLicenseUsage(license: LicenseDetail | undefined, refreshes: number) {
  const now = Date.now();
  const counters = license ? countersOf(license) : [];
  const from =
    Math.floor(
      Math.max(now - 31 * DAY_MS, Math.min(now - HOUR_MS, ...counters.map((counter) => plotWindow(counter, now).from))) / HOUR_MS,
    ) * HOUR_MS;
  const totals = counters.map((counter) => counter.total).join(",");
  return useResource(async () => {
    if (!license || counters.length === 0) return null;
    const to = new Date(now + HOUR_MS).toISOString();
    const [hours, days] = await Promise.all([
      get<LicenseUsage>(`/api/v1/licenses/${license.id}/usage`, { granularity: "hour", from: new Date(from).toISOString(), to }),
      get<LicenseUsage>(`/api/v1/licenses/${license.id}/usage`, {
        granularity: "day",
        from: new Date(now - 365 * DAY_MS).toISOString(),
        to,
      }),
    ]);
    return { hours, days };
  }, [license?.id, totals, refreshes]);
}

type LicenseUsageRead = ReturnType<typeof useLicenseUsage>;
type UsageCounter = LicenseUsage["counters"][number];

const usageOf = (usage: LicenseUsage, counter: Counter): UsageCounter | undefined =>
  usage.counters.find((candidate) => candidate.license_feature_id === counter.licenseFeatureId);

function CounterPlot(props: { counter: Counter; usage: LicenseUsageRead }) {
  const { counter, usage } = props;
  return (
    <Loaded loading={usage.loading} error={usage.error} retry={usage.reload} ready={usage.data !== undefined}>
      {() => {
        const now = Date.now();
        const window = plotWindow(counter, now);
        const buckets = (usage.data ? (usageOf(usage.data.hours, counter)?.buckets ?? []) : []).filter(
          (bucket) => bucket.total_after !== null && Date.parse(bucket.bucket_start) + HOUR_MS > window.from,
        );
        const points: PlotPoint[] = buckets.map((bucket) => ({
          at: Math.max(window.from, Date.parse(bucket.bucket_start)),
          total: bucket.total_after!,
        }));
        const first = buckets[0];
        const start = first ? first.total_after! - first.consumed - first.adjusted : 0;
        const cap = counter.rules.allow_unlimited_consumptions ? null : counter.rules.max_consumption;
        const periods = usage.data ? (usageOf(usage.data.days, counter)?.periods ?? []) : [];
        return (
          <>
            <ConsumptionPlot
              code={counter.code}
              points={points}
              start={start}
              consumptions={buckets.reduce((sum, bucket) => sum + bucket.consumptions, 0)}
              cap={cap}
              hardLimit={hardLimit(counter.rules)}
              from={window.from}
              to={now}
              windowLabel={window.label}
              note="From the hourly usage rollups (about a second behind the counter)."
            />
            {periods.length > 0 && (
              <Table
                label={`Ended periods of ${counter.code}`}
                name={`periods-${counter.code}`}
                head={["Period", "Total at its end", "Cap", "Overage"]}
              >
                {periods
                  .slice()
                  .reverse()
                  .map((period) => (
                    <tr key={period.period_start}>
                      <td>
                        {dateOnly(period.period_start)} – {dateOnly(new Date(Date.parse(period.period_end) - 1).toISOString())} (
                        {period.period})
                      </td>
                      <td class="num">{number(period.total_consumptions)}</td>
                      <td class="num">{number(period.max_consumption)}</td>
                      <td class="num">{number(period.overage)}</td>
                    </tr>
                  ))}
              </Table>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function ActivationFeatures(props: { license: LicenseDetail }) {
  const features = props.license.features.filter((feature) => feature.feature_type === "activation");
  if (features.length === 0) return null;
  return (
    <p class="hint" data-activation-features>
      On/off features:{" "}
      {features.map((feature) => `${feature.code}${feature.expiry_date ? ` (until ${dateOnly(feature.expiry_date)})` : ""}`).join(", ")}
    </p>
  );
}

function DeviceTable(props: { devices: Device[]; after: () => void }) {
  return (
    <Table label="Devices" name="devices" head={["Hardware id", "State", "First activated", ""]}>
      {props.devices.map((device) => {
        const state = device.blacklisted ? "blacklisted" : device.active ? "active" : "deactivated";
        return (
          <tr key={device.id} data-hardware-id={device.hardware_id} data-device-state={state}>
            <td class="mono">{device.hardware_id}</td>
            <td>
              <Badge tone={state === "active" ? "ok" : state === "blacklisted" ? "bad" : "muted"}>{state}</Badge>
            </td>
            <td>{dateTime(device.created_at)}</td>
            <td class="row-actions">
              <DeviceActions device={device} after={props.after} />
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

function DeviceActions(props: { device: Device; after: () => void }) {
  const { device } = props;
  const action = (verb: string) => () => post(`/api/v1/devices/${device.id}/${verb}`);
  return (
    <>
      {device.active && !device.blacklisted && (
        <ConfirmButton
          label="Deactivate"
          name="deactivate"
          title={`Deactivate ${device.hardware_id}?`}
          confirmLabel="Deactivate device"
          what="Deactivating the device"
          done={`${device.hardware_id} deactivated`}
          action={action("deactivate")}
          after={props.after}
        >
          Its seat is freed. The device gets <code>device_not_found</code> until it activates again, which it may.
        </ConfirmButton>
      )}
      {device.blacklisted ? (
        <ActionButton
          label="Un-blacklist"
          name="unblacklist"
          what="Lifting the blacklist"
          done={`${device.hardware_id} is no longer blacklisted`}
          action={action("unblacklist")}
          after={props.after}
        />
      ) : (
        <ConfirmButton
          label="Blacklist"
          name="blacklist"
          title={`Blacklist ${device.hardware_id}?`}
          confirmLabel="Blacklist device"
          what="Blacklisting the device"
          done={`${device.hardware_id} blacklisted`}
          danger
          action={action("blacklist")}
          after={props.after}
        >
          Every request from this device, and any new activation of it, gets <code>blacklisted</code> until the blacklist is lifted.
        </ConfirmButton>
      )}
    </>
  );
}
