/**
 * Management keys: who may use this console and the management API, by name and role. The key is
 * shown once; the activity log names every change made with it by the key's name.
 */
import { useState } from "preact/hooks";
import { get, post, type Page } from "../api";
import { ConfirmButton } from "../ui/confirm";
import { useAction } from "../ui/notices";
import { Badge, Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table, dateTime } from "../ui/parts";
import { usePages } from "../ui/resource";
import { Secret, ShownOnce } from "../ui/shown-once";
import type { CreateManagementKeyInput, ManagementKey, ManagementRole } from "../types";

type CreatedKey = ManagementKey & { key: string };

const ROLES: ReadonlyArray<readonly [ManagementRole, string]> = [
  ["admin", "Admin: everything"],
  ["support", "Support: licenses, customers and devices"],
  ["read-only", "Read-only: sees everything, changes nothing"],
];

export function ManagementKeysView() {
  const keys = usePages((cursor) => get<Page<ManagementKey>>("/api/v1/management-keys", { limit: 100, cursor }), []);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  return (
    <>
      <PageHeader
        title="Management keys"
        subtitle="Who may sign in here and call the management API. The MANAGEMENT_KEY secret stays the bootstrap admin."
      />
      {created && (
        <ShownOnce
          name="management-key"
          title={`The key of ${created.name}`}
          doneLabel="I have handed the key over"
          onDone={() => setCreated(null)}
        >
          <p>
            <strong>Shown only now.</strong> Give it to {created.name}: it signs in to this console and calls the management API with the
            role <strong>{created.role}</strong>.
          </p>
          <p>
            <Secret name="management-key" value={created.key} copyLabel="Copy key" />
          </p>
        </ShownOnce>
      )}
      <div class="columns">
        <Section title="Keys">
          <Loaded loading={keys.loading} error={keys.error} retry={keys.reload} ready={keys.rows !== undefined}>
            {() =>
              keys.rows!.length === 0 ? (
                <Empty>No named key yet: only the bootstrap MANAGEMENT_KEY can sign in. Create one per person or script.</Empty>
              ) : (
                <Table label="Management keys" name="management-keys" head={["Name", "Role", "Key starts", "Created", "State", ""]}>
                  {keys.rows!.map((key) => (
                    <tr key={key.id} data-management-key={key.name}>
                      <td>{key.name}</td>
                      <td>{key.role}</td>
                      <td class="mono">{key.key_prefix}…</td>
                      <td>
                        {dateTime(key.created_at)}
                        <div class="hint">by {key.created_by}</div>
                      </td>
                      <td>{key.revoked_at ? <Badge tone="bad">revoked by {key.revoked_by}</Badge> : <Badge tone="ok">active</Badge>}</td>
                      <td class="row-actions">
                        {!key.revoked_at && (
                          <ConfirmButton
                            label="Revoke"
                            name="revoke-management-key"
                            title={`Revoke the key of ${key.name}?`}
                            confirmLabel="Revoke key"
                            what="Revoking the key"
                            done={`The key of ${key.name} is revoked`}
                            danger
                            action={() => post(`/api/v1/management-keys/${key.id}/revoke`)}
                            after={keys.reload}
                          >
                            Its next request is refused, here and in every script that uses it. The activity log keeps its name. This cannot
                            be undone.
                          </ConfirmButton>
                        )}
                      </td>
                    </tr>
                  ))}
                </Table>
              )
            }
          </Loaded>
          <MoreButton hasMore={keys.hasMore} loading={keys.loading} more={keys.more} />
        </Section>
        <CreateKey
          onCreated={(key) => {
            setCreated(key);
            void keys.reload();
          }}
        />
      </div>
    </>
  );
}

function CreateKey(props: { onCreated: (key: CreatedKey) => void }) {
  const [form, setForm] = useState<{ name: string; role: ManagementRole }>({ name: "", role: "support" });
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const body: CreateManagementKeyInput = form;
    const outcome = await run(
      "Creating the key",
      () => post<CreatedKey>("/api/v1/management-keys", body),
      (key) => `Key for ${key.name} created: hand it over now`,
    );
    if (outcome.ok) {
      setForm({ name: "", role: "support" });
      props.onCreated(outcome.result);
    }
  }
  return (
    <Section title="New management key">
      <form onSubmit={submit} id="create-management-key">
        <Field
          label="Who holds it"
          name="name"
          required
          hint="A person's e-mail or a script's name: the activity log names their changes so."
          value={form.name}
          onValue={(name) => setForm({ ...form, name })}
        />
        <Select label="Role" name="role" value={form.role} options={ROLES} onValue={(role) => setForm({ ...form, role })} />
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
    </Section>
  );
}
