/**
 * License API keys: the credentials a vendor hands to its application. Create one (its shared key
 * is shown once, here, with copy buttons), make one read-only, revoke one.
 */
import { useState } from "preact/hooks";
import { get, post, type Page } from "../api";
import { ConfirmButton } from "../ui/confirm";
import { useAction } from "../ui/notices";
import { Badge, Checkbox, Empty, Field, Loaded, MoreButton, PageHeader, Section, Table, dateOnly } from "../ui/parts";
import { usePages } from "../ui/resource";
import { Secret, ShownOnce } from "../ui/shown-once";
import type { ApiKey, CreateApiKeyInput } from "../types";

type CreatedApiKey = ApiKey & { shared_key: string };

export function ApiKeysView() {
  const keys = usePages((cursor) => get<Page<ApiKey>>("/api/v1/api-keys", { limit: 100, cursor }), []);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  return (
    <>
      <PageHeader title="API keys" subtitle="What your application signs License API requests with: an API key and its shared key." />
      {created && <CreatedKey apiKey={created} onDone={() => setCreated(null)} />}
      <div class="columns">
        <Section title="Keys">
          <Loaded loading={keys.loading} error={keys.error} retry={keys.reload} ready={keys.rows !== undefined}>
            {() =>
              keys.rows!.length === 0 ? (
                <Empty>No API key yet: create one and hand it to your application.</Empty>
              ) : (
                <Table label="API keys" name="api-keys" head={["API key", "Reach", "Access", "Created", ""]}>
                  {keys.rows!.map((key) => (
                    <tr
                      key={key.id}
                      data-api-key={key.api_key}
                      data-key-state={key.revoked ? "revoked" : key.read_only ? "read-only" : "read-write"}
                    >
                      <td class="mono">{key.api_key}</td>
                      <td>
                        company {key.company_id}
                        {key.product_ids ? `, products ${key.product_ids.join(", ")}` : ", every product"}
                      </td>
                      <td>
                        {key.revoked ? (
                          <Badge tone="bad">revoked</Badge>
                        ) : key.read_only ? (
                          <Badge tone="warn">read-only</Badge>
                        ) : (
                          <Badge tone="ok">read and write</Badge>
                        )}
                      </td>
                      <td>{dateOnly(key.created_at)}</td>
                      <td class="row-actions">{!key.revoked && <KeyActions apiKey={key} after={keys.reload} />}</td>
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

function KeyActions(props: { apiKey: ApiKey; after: () => void }) {
  const key = props.apiKey;
  return (
    <>
      {!key.read_only && (
        <ConfirmButton
          label="Make read-only"
          name="make-read-only"
          title={`Make ${key.api_key} read-only?`}
          confirmLabel="Make read-only"
          what="Making the key read-only"
          done={`${key.api_key} is read-only`}
          action={() => post(`/api/v1/api-keys/${key.id}/read-only`)}
          after={props.after}
        >
          Applications signing with it can still check licenses, but every activation and consumption gets <code>read_only_api_key</code>,
          within 5 seconds everywhere. This cannot be undone.
        </ConfirmButton>
      )}
      <ConfirmButton
        label="Revoke"
        name="revoke"
        title={`Revoke ${key.api_key}?`}
        confirmLabel="Revoke key"
        what="Revoking the key"
        done={`${key.api_key} revoked`}
        danger
        action={() => post(`/api/v1/api-keys/${key.id}/revoke`)}
        after={props.after}
      >
        Every request signed with it gets <code>revoked_api_key</code>, within 5 seconds everywhere. Applications need another key. This
        cannot be undone.
      </ConfirmButton>
    </>
  );
}

function CreateKey(props: { onCreated: (key: CreatedApiKey) => void }) {
  const [readOnly, setReadOnly] = useState(false);
  const [productIds, setProductIds] = useState("");
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const ids = productIds
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const body: CreateApiKeyInput = { read_only: readOnly, ...(ids.length > 0 ? { product_ids: ids } : {}) };
    const outcome = await run(
      "Creating the API key",
      () => post<CreatedApiKey>("/api/v1/api-keys", body),
      "API key created: copy its shared key now",
    );
    if (outcome.ok) {
      setReadOnly(false);
      setProductIds("");
      props.onCreated(outcome.result);
    }
  }
  return (
    <Section title="New API key">
      <form onSubmit={submit} id="create-api-key">
        <Checkbox
          label="Read-only (checks only, no activation or consumption)"
          name="read_only"
          checked={readOnly}
          onChange={setReadOnly}
        />
        <Field
          label="Only these product ids (optional)"
          name="product_ids"
          hint="Comma-separated. Empty: every product."
          value={productIds}
          onValue={setProductIds}
        />
        <button type="submit" disabled={busy}>
          Create API key
        </button>
      </form>
    </Section>
  );
}

/** The one time the shared key is visible: the vendor copies both values into the application's configuration. */
function CreatedKey(props: { apiKey: CreatedApiKey; onDone: () => void }) {
  return (
    <ShownOnce name="key" title="Hand these to your application" doneLabel="I have saved the shared key" onDone={props.onDone}>
      <p>
        <strong>The shared key is shown only now.</strong> The service keeps it to verify signatures but never shows it again: copy it into
        your application's configuration (<code>sharedKey</code> in the SDK) before you leave this page.
      </p>
      <dl class="facts">
        <dt>API key</dt>
        <dd>
          <Secret name="api-key" value={props.apiKey.api_key} copyLabel="Copy API key" />
        </dd>
        <dt>Shared key</dt>
        <dd>
          <Secret name="shared-key" value={props.apiKey.shared_key} copyLabel="Copy shared key" />
        </dd>
      </dl>
    </ShownOnce>
  );
}
