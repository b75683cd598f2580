/** The consumption log: every accepted consumption, reset and import, filtered, paged, and exported as CSV. */
import { useState } from "preact/hooks";
import { download, get, withQuery, type Page } from "../api";
import { href, navigate } from "../router";
import { useAction } from "../ui/notices";
import { Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table, dateTime } from "../ui/parts";
import { usePages } from "../ui/resource";
import type { AuditEntry } from "../types";

const EVENTS = [
  ["", "Every event"],
  ["consumption_add", "Consumption"],
  ["offline_floating_consumptions_sync", "Offline consumption sync"],
  ["period_reset", "Periodic reset"],
  ["manual_reset", "Manual reset"],
  ["import", "Imported total"],
] as const;

export function AuditView(props: { query: URLSearchParams }) {
  const filters = {
    license_id: props.query.get("license") ?? "",
    feature: props.query.get("feature") ?? "",
    hardware_id: props.query.get("device") ?? "",
    event: props.query.get("event") ?? "",
  };
  const [draft, setDraft] = useState(filters);
  const entries = usePages(
    (cursor) => get<Page<AuditEntry>>("/api/v1/audit", { ...filters, limit: 100, cursor }),
    [JSON.stringify(filters)],
  );
  const { busy, run } = useAction();
  const apply = (event: Event) => {
    event.preventDefault();
    navigate(href("audit", { license: draft.license_id, feature: draft.feature, device: draft.hardware_id, event: draft.event }));
  };
  return (
    <>
      <PageHeader
        title="Consumption log"
        subtitle="Every accepted consumption, periodic or manual reset and imported total, oldest first. Entries arrive about a second after the consumption."
      >
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() =>
            run(
              "Exporting the log",
              () => download(withQuery("/api/v1/audit/csv", filters), "consumption-log.csv"),
              "Consumption log exported as CSV",
            )
          }
        >
          Export CSV
        </button>
      </PageHeader>
      <Section title="Entries" wide>
        <form class="filters" onSubmit={apply}>
          <Field
            label="License id"
            name="license_id"
            inputMode="numeric"
            value={draft.license_id}
            onValue={(license_id) => setDraft({ ...draft, license_id })}
          />
          <Field label="Feature code" name="feature" value={draft.feature} onValue={(feature) => setDraft({ ...draft, feature })} />
          <Field
            label="Hardware id"
            name="hardware_id"
            value={draft.hardware_id}
            onValue={(hardware_id) => setDraft({ ...draft, hardware_id })}
          />
          <Select
            label="Event"
            name="event"
            value={draft.event}
            options={EVENTS}
            onValue={(value) => setDraft({ ...draft, event: value })}
          />
          <button type="submit">Filter</button>
        </form>
        <Loaded loading={entries.loading} error={entries.error} retry={entries.reload} ready={entries.rows !== undefined}>
          {() =>
            entries.rows!.length === 0 ? (
              <Empty>No entry matches. Entries appear when devices consume (and about a second after).</Empty>
            ) : (
              <Table
                label="Consumption log"
                name="audit"
                head={["When", "License", "Feature", "Device", "Event", "Change", "Total after", "API key id"]}
              >
                {entries.rows!.map((entry) => (
                  <tr key={entry.id} data-event={entry.event}>
                    <td>{dateTime(entry.created_at)}</td>
                    <td>
                      <a href={href("licenses", entry.license_id)}>{entry.license_id}</a>
                    </td>
                    <td class="mono">{entry.feature_code ?? "(license)"}</td>
                    <td class="mono">{entry.hardware_id ?? "—"}</td>
                    <td>{entry.event.replace(/_/g, " ")}</td>
                    <td class="num">{entry.consumptions > 0 ? `+${entry.consumptions}` : entry.consumptions}</td>
                    <td class="num">{entry.total_after}</td>
                    <td>{entry.api_key_id ?? "—"}</td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
        <MoreButton hasMore={entries.hasMore} loading={entries.loading} more={entries.more} />
      </Section>
    </>
  );
}
