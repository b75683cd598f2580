/**
 * The activity log: who did what to what, with the values before and after, newest first; filtered
 * by who, by action and by license. The license and customer pages show their own part of it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { get, type Page, type Query } from "../api";
import { href, navigate } from "../router";
import { Empty, Field, Loaded, MoreButton, PageHeader, Section, Table, dateTime } from "../ui/parts";
import { usePages } from "../ui/resource";
import type { Activity } from "../types";

/** Where an entry's target is shown in the console, if it has a page. */
function targetLink(entry: Activity): string | null {
  if (entry.target_id === null) return null;
  switch (entry.target_type) {
    case "license":
      return href("licenses", entry.target_id);
    case "product":
      return href("products", entry.target_id);
    case "customer":
      return href("customers", entry.target_id);
    default:
      return entry.license_id !== null ? href("licenses", entry.license_id) : null;
  }
}

/**
 * A value as the log shows it. A license feature's null is its product's default (it inherits),
 * elsewhere it is "none".
 */
const shown = (value: unknown, nothing: string) =>
  value === undefined || value === null ? nothing : typeof value === "string" ? value : JSON.stringify(value);

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === "" || (typeof value === "object" && Object.keys(value as object).length === 0);

/**
 * What an action changed: for a change, each field whose value differs ("field: before → after");
 * for a creation, the values it was created with; for a removal, what it had. Fields that stayed
 * the same (the code or hardware id a change names) and empty values are left out.
 */
function Changes(props: { before: Record<string, unknown> | null; after: Record<string, unknown> | null; nothing: string }) {
  const { before, after } = props;
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((field) =>
    before && after ? JSON.stringify(before[field]) !== JSON.stringify(after[field]) : !isEmpty((after ?? before)![field]),
  );
  if (fields.length === 0) return <span class="hint">—</span>;
  return (
    <ul class="changes">
      {fields.map((field) => (
        <li key={field} data-change={field}>
          <span class="mono">{field}</span>
          {before && after
            ? `: ${shown(before[field], props.nothing)} → ${shown(after[field], props.nothing)}`
            : after
              ? ` = ${shown(after[field], props.nothing)}`
              : ` was ${shown(before![field], props.nothing)}`}
        </li>
      ))}
    </ul>
  );
}

/**
 * A page of the activity log for `filters`, with "Load more". `reloadOn` is the subject the list
 * belongs to (a license, a customer): when the page reloads it after an action, the list reads its
 * first page again, so the action's own entry appears.
 */
export function ActivityList(props: { filters: Query; label: string; limit?: number; reloadOn?: unknown }) {
  const entries = usePages(
    (cursor) => get<Page<Activity>>("/api/v1/activity", { ...props.filters, limit: props.limit ?? 50, cursor }),
    [JSON.stringify(props.filters)],
  );
  const subject = useRef(props.reloadOn);
  useEffect(() => {
    if (subject.current === props.reloadOn) return;
    subject.current = props.reloadOn;
    void entries.reload();
  }, [props.reloadOn]);
  return (
    <>
      <Loaded loading={entries.loading} error={entries.error} retry={entries.reload} ready={entries.rows !== undefined}>
        {() =>
          entries.rows!.length === 0 ? (
            <Empty>No activity recorded{Object.values(props.filters).some(Boolean) ? " that matches" : " yet"}.</Empty>
          ) : (
            <Table label={props.label} name="activity" head={["When", "Who", "What", "Target", "Changes"]}>
              {entries.rows!.map((entry) => {
                const link = targetLink(entry);
                const target = `${entry.target_type.replace(/_/g, " ")}${entry.target_id !== null ? ` ${entry.target_id}` : ""}`;
                return (
                  <tr key={entry.id} data-activity={entry.action} data-actor={entry.actor}>
                    <td>{dateTime(entry.created_at)}</td>
                    <td>
                      {entry.actor}
                      <div class="hint">
                        {entry.actor_type === "bootstrap"
                          ? "bootstrap key"
                          : entry.actor_type === "access"
                            ? "Cloudflare Access"
                            : "management key"}
                      </div>
                    </td>
                    <td class="mono">{entry.action}</td>
                    <td>{link ? <a href={link}>{target}</a> : target}</td>
                    <td>
                      <Changes
                        before={entry.before}
                        after={entry.after}
                        nothing={entry.target_type === "license_feature" ? "product default" : "none"}
                      />
                    </td>
                  </tr>
                );
              })}
            </Table>
          )
        }
      </Loaded>
      <MoreButton hasMore={entries.hasMore} loading={entries.loading} more={entries.more} />
    </>
  );
}

export function ActivityView(props: { query: URLSearchParams }) {
  const filters = { actor: props.query.get("actor") ?? "", license_id: props.query.get("license") ?? "" };
  const [draft, setDraft] = useState(filters);
  return (
    <>
      <PageHeader title="Activity" subtitle="Every vendor action, whoever made it: through this console, the API or an import." />
      <Section title="Entries" wide>
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            navigate(href("activity", { actor: draft.actor, license: draft.license_id }));
          }}
        >
          <Field label="Who (key name or e-mail)" name="actor" value={draft.actor} onValue={(actor) => setDraft({ ...draft, actor })} />
          <Field
            label="License id"
            name="license_id"
            inputMode="numeric"
            value={draft.license_id}
            onValue={(license_id) => setDraft({ ...draft, license_id })}
          />
          <button type="submit">Filter</button>
        </form>
        <ActivityList filters={filters} label="Activity" />
      </Section>
    </>
  );
}
