/**
 * Webhooks: the endpoints events are sent to (register one: its signing secret is shown once), and
 * an endpoint's page with its delivery log (status, attempts, last response) and "Resend".
 */
import { useState } from "preact/hooks";
import { get, patch, post, type Page } from "../api";
import { THRESHOLD_PERCENTS } from "../../src/counter/thresholds";
import { href, navigate } from "../router";
import { ActionButton } from "../ui/action-button";
import { ConfirmButton } from "../ui/confirm";
import { FormDialog } from "../ui/form-dialog";
import { useAction } from "../ui/notices";
import { Badge, Checkbox, Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table, dateTime } from "../ui/parts";
import { useResource, usePages } from "../ui/resource";
import { Secret, ShownOnce } from "../ui/shown-once";
import type { CreateWebhookEndpointInput, WebhookDelivery, WebhookEndpoint, WebhookEventType } from "../types";

/** Every event type, in the vendor's words (a Record: a new event type does not compile until it is described here). */
const EVENT_LABELS: Record<WebhookEventType, string> = {
  "consumption.threshold_reached": "A counter reaches a threshold of its cap",
  "consumption.overage_used": "A counter goes into its overage",
  "consumption.limit_reached": "A counter reaches its hard limit",
  "consumption.period_reset": "A counter's period ends (with its total)",
  "floating.pool_exhausted": "A floating pool has no free slot",
  "license.disabled": "A license is disabled",
  "license.expired": "A license expires",
  "device.activated": "A device activates",
  "device.blacklisted": "A device is blacklisted",
};
const EVENT_TYPES = Object.keys(EVENT_LABELS) as WebhookEventType[];

type CreatedEndpoint = WebhookEndpoint & { secret: string };

interface EndpointForm {
  url: string;
  description: string;
  events: WebhookEventType[];
  thresholds: number[];
}

function EndpointFields(props: { value: EndpointForm; onChange: (value: EndpointForm) => void }) {
  const { value } = props;
  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list, item] : list.filter((other) => other !== item));
  return (
    <>
      <Field
        label="URL"
        name="url"
        type="url"
        required
        hint="https (http only for localhost). Each delivery is signed (Standard Webhooks)."
        value={value.url}
        onValue={(url) => props.onChange({ ...value, url })}
      />
      <Field
        label="Description (optional)"
        name="description"
        value={value.description}
        onValue={(description) => props.onChange({ ...value, description })}
      />
      <fieldset>
        <legend>Events</legend>
        {EVENT_TYPES.map((type) => (
          <Checkbox
            key={type}
            label={`${EVENT_LABELS[type]} (${type})`}
            checked={value.events.includes(type)}
            onChange={(on) => props.onChange({ ...value, events: toggle(value.events, type, on) })}
          />
        ))}
      </fieldset>
      {value.events.includes("consumption.threshold_reached") && (
        <fieldset>
          <legend>Thresholds (% of the cap)</legend>
          <div class="inline-checks">
            {THRESHOLD_PERCENTS.map((percent) => (
              <Checkbox
                key={percent}
                label={`${percent} %`}
                checked={value.thresholds.includes(percent)}
                onChange={(on) => props.onChange({ ...value, thresholds: toggle(value.thresholds, percent, on) })}
              />
            ))}
          </div>
        </fieldset>
      )}
    </>
  );
}

export function WebhooksView() {
  const endpoints = usePages((cursor) => get<Page<WebhookEndpoint>>("/api/v1/webhooks", { limit: 100, cursor }), []);
  const [created, setCreated] = useState<CreatedEndpoint | null>(null);
  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="Your endpoints hear about caps reached, resets, disabled licenses and blacklisted devices as they happen."
      />
      {created && (
        <ShownOnce
          name="webhook"
          title={`The signing secret of ${created.url}`}
          doneLabel="I have saved the secret"
          onDone={() => setCreated(null)}
        >
          <p>
            <strong>Shown only now.</strong> Your endpoint verifies each delivery's <code>webhook-signature</code> with it.
          </p>
          <p>
            <Secret name="webhook-secret" value={created.secret} copyLabel="Copy secret" />
          </p>
        </ShownOnce>
      )}
      <div class="columns">
        <Section title="Endpoints">
          <Loaded loading={endpoints.loading} error={endpoints.error} retry={endpoints.reload} ready={endpoints.rows !== undefined}>
            {() =>
              endpoints.rows!.length === 0 ? (
                <Empty>No endpoint yet: register one to hear about caps reached and devices blacklisted.</Empty>
              ) : (
                <Table label="Webhook endpoints" name="webhooks" head={["URL", "Events", "State", "Created"]}>
                  {endpoints.rows!.map((endpoint) => (
                    <tr key={endpoint.id} data-webhook={endpoint.url}>
                      <td>
                        <a class="mono" href={href("webhooks", endpoint.id)}>
                          {endpoint.url}
                        </a>
                        {endpoint.description && <div class="hint">{endpoint.description}</div>}
                      </td>
                      <td>{endpoint.events.join(", ")}</td>
                      <td>{endpoint.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="muted">disabled</Badge>}</td>
                      <td>{dateTime(endpoint.created_at)}</td>
                    </tr>
                  ))}
                </Table>
              )
            }
          </Loaded>
          <MoreButton hasMore={endpoints.hasMore} loading={endpoints.loading} more={endpoints.more} />
        </Section>
        <CreateEndpoint
          onCreated={(endpoint) => {
            setCreated(endpoint);
            void endpoints.reload();
          }}
        />
      </div>
    </>
  );
}

function CreateEndpoint(props: { onCreated: (endpoint: CreatedEndpoint) => void }) {
  const empty: EndpointForm = { url: "", description: "", events: ["consumption.threshold_reached"], thresholds: [80, 100] };
  const [form, setForm] = useState(empty);
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const body: CreateWebhookEndpointInput = {
      ...form,
      events: form.events,
      thresholds: form.thresholds as CreateWebhookEndpointInput["thresholds"],
    };
    const outcome = await run(
      "Registering the endpoint",
      () => post<CreatedEndpoint>("/api/v1/webhooks", body),
      "Endpoint registered: copy its signing secret now",
    );
    if (outcome.ok) {
      setForm(empty);
      props.onCreated(outcome.result);
    }
  }
  return (
    <Section title="New endpoint">
      <form onSubmit={submit} id="create-webhook">
        <EndpointFields value={form} onChange={setForm} />
        <button type="submit" disabled={busy}>
          Register endpoint
        </button>
      </form>
    </Section>
  );
}

const STATUSES = [
  ["", "Every status"],
  ["pending", "Pending (being retried)"],
  ["delivered", "Delivered"],
  ["failed", "Failed (retries exhausted)"],
] as const;

export function WebhookView(props: { endpointId: number; query: URLSearchParams }) {
  const status = props.query.get("status") ?? "";
  const endpoint = useResource(() => get<WebhookEndpoint>(`/api/v1/webhooks/${props.endpointId}`), [props.endpointId]);
  const deliveries = usePages(
    (cursor) => get<Page<WebhookDelivery>>(`/api/v1/webhooks/${props.endpointId}/deliveries`, { status, limit: 50, cursor }),
    [props.endpointId, status],
  );
  return (
    <Loaded loading={endpoint.loading} error={endpoint.error} retry={endpoint.reload} ready={endpoint.data !== undefined}>
      {() => {
        const current = endpoint.data!;
        return (
          <div data-webhook-id={current.id}>
            <PageHeader
              title={
                <>
                  <span class="mono">{current.url}</span>{" "}
                  {current.enabled ? (
                    <Badge tone="ok" state="enabled">
                      enabled
                    </Badge>
                  ) : (
                    <Badge tone="muted" state="disabled">
                      disabled
                    </Badge>
                  )}
                </>
              }
              subtitle={current.description || `Endpoint ${current.id}, registered ${dateTime(current.created_at)}`}
            >
              <button type="button" class="secondary" onClick={() => void deliveries.reload()}>
                Refresh
              </button>
              <EditEndpoint endpoint={current} after={endpoint.reload} />
              <EnableEndpoint endpoint={current} after={endpoint.reload} />
            </PageHeader>
            <Section title="Subscribed events">
              <ul class="plain">
                {current.events.map((type) => (
                  <li key={type}>
                    {EVENT_LABELS[type]} <code>{type}</code>
                    {type === "consumption.threshold_reached" && ` at ${current.thresholds.join(" %, ")} %`}
                  </li>
                ))}
              </ul>
            </Section>
            <Section title="Delivery log" wide>
              <div class="filters">
                <Select
                  label="Status"
                  name="status"
                  value={status}
                  options={STATUSES}
                  onValue={(value) => navigate(href("webhooks", current.id, { status: value }))}
                />
              </div>
              <Loaded loading={deliveries.loading} error={deliveries.error} retry={deliveries.reload} ready={deliveries.rows !== undefined}>
                {() =>
                  deliveries.rows!.length === 0 ? (
                    <Empty>
                      {status ? `No ${status} delivery.` : "Nothing sent yet: deliveries appear when a subscribed event happens."}
                    </Empty>
                  ) : (
                    <Table
                      label="Deliveries"
                      name="deliveries"
                      head={["Event", "Happened", "Status", "Attempts", "Last answer", "Next attempt", ""]}
                    >
                      {deliveries.rows!.map((delivery) => (
                        <tr key={delivery.id} data-delivery={delivery.event_type} data-status={delivery.status}>
                          <td>
                            <code>{delivery.event_type}</code>
                            <div class="hint mono">{delivery.event_id}</div>
                          </td>
                          <td>{dateTime(delivery.occurred_at)}</td>
                          <td>
                            <Badge tone={delivery.status === "delivered" ? "ok" : delivery.status === "failed" ? "bad" : "warn"}>
                              {delivery.status}
                            </Badge>
                          </td>
                          <td class="num">{delivery.attempts}</td>
                          <td>
                            {delivery.last_response_code ?? "—"}
                            {delivery.last_error && <div class="hint">{delivery.last_error}</div>}
                          </td>
                          <td>
                            {delivery.status === "pending"
                              ? dateTime(delivery.next_attempt_at)
                              : delivery.delivered_at
                                ? `delivered ${dateTime(delivery.delivered_at)}`
                                : "—"}
                          </td>
                          <td class="row-actions">
                            <ResendButton endpointId={current.id} delivery={delivery} after={deliveries.reload} />
                          </td>
                        </tr>
                      ))}
                    </Table>
                  )
                }
              </Loaded>
              <MoreButton hasMore={deliveries.hasMore} loading={deliveries.loading} more={deliveries.more} />
            </Section>
          </div>
        );
      }}
    </Loaded>
  );
}

function ResendButton(props: { endpointId: number; delivery: WebhookDelivery; after: () => void }) {
  return (
    <ActionButton
      label="Resend"
      name="resend"
      what="Resending"
      done={`${props.delivery.event_type} sent again`}
      action={() => post(`/api/v1/webhooks/${props.endpointId}/deliveries/${props.delivery.id}/resend`)}
      after={props.after}
    />
  );
}

function EditEndpoint(props: { endpoint: WebhookEndpoint; after: () => void }) {
  const current = (): EndpointForm => ({
    url: props.endpoint.url,
    description: props.endpoint.description,
    events: props.endpoint.events,
    thresholds: props.endpoint.thresholds,
  });
  const [form, setForm] = useState(current);
  return (
    <FormDialog
      label="Edit"
      name="edit-webhook"
      title="Edit the endpoint"
      submitLabel="Save"
      what="Saving the endpoint"
      done="Endpoint saved"
      onOpen={() => setForm(current())}
      action={() => patch(`/api/v1/webhooks/${props.endpoint.id}`, form)}
      after={props.after}
    >
      <EndpointFields value={form} onChange={setForm} />
    </FormDialog>
  );
}

function EnableEndpoint(props: { endpoint: WebhookEndpoint; after: () => void }) {
  if (!props.endpoint.enabled)
    return (
      <ActionButton
        label="Enable"
        name="enable-webhook"
        primary
        what="Enabling the endpoint"
        done="Endpoint enabled"
        action={() => patch(`/api/v1/webhooks/${props.endpoint.id}`, { enabled: true })}
        after={props.after}
      />
    );
  return (
    <ConfirmButton
      label="Disable"
      name="disable-webhook"
      title={`Disable ${props.endpoint.url}?`}
      confirmLabel="Disable endpoint"
      what="Disabling the endpoint"
      done="Endpoint disabled"
      danger
      action={() => patch(`/api/v1/webhooks/${props.endpoint.id}`, { enabled: false })}
      after={props.after}
    >
      It gets no new deliveries, and its pending ones are not sent, until it is enabled again.
    </ConfirmButton>
  );
}
