/**
 * What changes a license's terms on its page: the terms themselves (type, validity, seats), which
 * features it carries (add one of its product's, remove one), its customer, and archiving.
 */
import { useState } from "preact/hooks";
import { api, get, patch, post, type Page } from "../api";
import { href } from "../router";
import { ActionButton } from "../ui/action-button";
import { ConfirmButton } from "../ui/confirm";
import { FormDialog } from "../ui/form-dialog";
import { licenseName } from "../ui/format";
import { Checkbox, Empty, Field, Select, endOfDay } from "../ui/parts";
import { typedNumber } from "../ui/rules-fields";
import type { LicenseDetail, LicenseType, ProductFeature, UpdateLicenseInput } from "../types";
import { customerName } from "./customers";

export const LICENSE_TYPES: ReadonlyArray<readonly [LicenseType, string]> = [
  ["perpetual", "Perpetual"],
  ["time-limited", "Time-limited"],
  ["subscription", "Subscription"],
  ["consumption", "Consumption (a license-level counter)"],
];

/** A validity date-time as a date input shows it (UTC day), or "". */
const dayOf = (iso: string | null) => (iso ? iso.slice(0, 10) : "");

export function EditTerms(props: { license: LicenseDetail; after: () => void }) {
  const current = () => ({
    license_type: props.license.license_type,
    validity: dayOf(props.license.validity_period),
    max_activations: String(props.license.max_activations),
    unlimited: props.license.allow_unlimited_activations,
  });
  const [form, setForm] = useState(current);
  function body(): UpdateLicenseInput {
    const changes: UpdateLicenseInput = {};
    const validity = endOfDay(form.validity);
    if (form.license_type !== props.license.license_type) changes.license_type = form.license_type;
    if (form.validity !== dayOf(props.license.validity_period)) changes.validity_period = validity;
    if (form.max_activations !== String(props.license.max_activations)) changes.max_activations = typedNumber(form.max_activations);
    if (form.unlimited !== props.license.allow_unlimited_activations) changes.allow_unlimited_activations = form.unlimited;
    return changes;
  }
  return (
    <FormDialog
      label="Edit terms"
      name="edit-terms"
      title={`Terms of ${licenseName(props.license)}`}
      submitLabel="Save terms"
      what="Changing the terms"
      done="Terms saved"
      onOpen={() => setForm(current())}
      action={() => patch(`/api/v1/licenses/${props.license.id}`, body())}
      after={props.after}
    >
      <p class="hint">The license's devices see the new terms from their next request on.</p>
      <Select
        label="Type"
        name="license_type"
        value={form.license_type}
        options={LICENSE_TYPES}
        onValue={(license_type) => setForm({ ...form, license_type })}
      />
      <Field
        label="Valid until"
        name="validity_period"
        type="date"
        hint="The end of that day, UTC. Empty: no expiry."
        value={form.validity}
        onValue={(validity) => setForm({ ...form, validity })}
      />
      <Field
        label="Seats (devices at once)"
        name="max_activations"
        type="number"
        disabled={form.unlimited}
        value={form.max_activations}
        onValue={(max_activations) => setForm({ ...form, max_activations })}
      />
      <Checkbox
        label="Unlimited seats"
        name="allow_unlimited_activations"
        checked={form.unlimited}
        onChange={(unlimited) => setForm({ ...form, unlimited })}
      />
    </FormDialog>
  );
}

/** Adds a feature of the license's product that the license does not carry (one added to the product later, or one removed). */
export function AddFeature(props: { license: LicenseDetail; after: () => void }) {
  const [features, setFeatures] = useState<ProductFeature[] | null>(null);
  const [code, setCode] = useState("");
  const carried = new Set(props.license.features.map((feature) => feature.code));
  const missing = (features ?? []).filter((feature) => !carried.has(feature.code));
  return (
    <FormDialog
      label="Add feature"
      name="add-feature"
      title={`Add a feature of ${props.license.product_short_code}`}
      submitLabel="Add to this license"
      what="Adding the feature"
      done={`${code} added to the license`}
      onOpen={() => {
        setFeatures(null);
        void get<Page<ProductFeature>>(`/api/v1/products/${props.license.product_id}/features`, { limit: 200 }).then((page) => {
          setFeatures(page.data);
          setCode(page.data.find((feature) => !carried.has(feature.code))?.code ?? "");
        });
      }}
      action={() => post(`/api/v1/licenses/${props.license.id}/features`, { code })}
      after={props.after}
    >
      {features === null ? (
        <p class="hint">Loading the product's features…</p>
      ) : missing.length === 0 ? (
        <Empty>
          The license carries every feature of its product. <a href={href("products", props.license.product_id)}>Add one to the product</a>{" "}
          first.
        </Empty>
      ) : (
        <Select
          label="Feature"
          name="code"
          value={code}
          options={missing.map((feature) => [feature.code, `${feature.code} (${feature.name})`] as const)}
          onValue={setCode}
        />
      )}
      <p class="hint">It starts with the product's defaults; change its cap on the license afterwards.</p>
    </FormDialog>
  );
}

export function RemoveFeature(props: { license: LicenseDetail; code: string; after: () => void }) {
  return (
    <ConfirmButton
      label="Remove"
      name={`remove-${props.code}`}
      title={`Remove ${props.code} from this license?`}
      confirmLabel="Remove feature"
      what="Removing the feature"
      done={`${props.code} removed from the license`}
      danger
      action={() => api("DELETE", `/api/v1/licenses/${props.license.id}/features/${encodeURIComponent(props.code)}`)}
      after={props.after}
    >
      The next request for it gets <code>unsupported_product_feature</code>. Its consumption history is kept; adding it again brings the
      counter back.
    </ConfirmButton>
  );
}

export function ArchiveToggle(props: { license: LicenseDetail; after: () => void }) {
  const name = licenseName(props.license);
  if (props.license.archived_at)
    return (
      <ActionButton
        label="Restore"
        name="restore-license"
        what="Restoring the license"
        done={`License ${name} restored (still disabled until enabled)`}
        action={() => post(`/api/v1/licenses/${props.license.id}/restore`)}
        after={props.after}
      />
    );
  return (
    <ConfirmButton
      label="Archive"
      name="archive-license"
      title={`Archive license ${name}?`}
      confirmLabel="Archive license"
      what="Archiving the license"
      done={`License ${name} archived`}
      danger
      action={() => post(`/api/v1/licenses/${props.license.id}/archive`)}
      after={props.after}
    >
      It is disabled, left out of the license lists and frozen; its devices, consumption and activity are kept, and it can be restored.
    </ConfirmButton>
  );
}

export function LicenseCustomer(props: { license: LicenseDetail }) {
  const customer = props.license.customer;
  if (!customer) return <Empty>No customer recorded for this license.</Empty>;
  return (
    <dl class="facts" data-customer>
      <dt>Name</dt>
      <dd>
        <a href={href("customers", customer.id)}>{customerName(customer)}</a>
      </dd>
      <dt>E-mail</dt>
      <dd>{customer.email || "—"}</dd>
      <dt>Company</dt>
      <dd>{customer.company_name || "—"}</dd>
    </dl>
  );
}
