/** A product: its name, its features with their defaults (create, edit), and a way to its licenses. */
import { useState } from "preact/hooks";
import { api, get, patch, post, type Page } from "../api";
import { href, navigate } from "../router";
import { ConfirmButton } from "../ui/confirm";
import { FormDialog } from "../ui/form-dialog";
import { hardLimit, number } from "../ui/format";
import { useAction } from "../ui/notices";
import { Empty, Field, Loaded, MoreButton, PageHeader, Section, Select, Table } from "../ui/parts";
import { useResource, usePages } from "../ui/resource";
import { RulesFields, rulesBody, rulesForm, type RulesForm } from "../ui/rules-fields";
import type { CreateProductFeatureInput, Product, ProductFeature, UpdateProductFeatureInput } from "../types";
import { ProductVersions } from "./product-versions";

export function ProductView(props: { productId: number }) {
  const product = useResource(() => get<Product>(`/api/v1/products/${props.productId}`), [props.productId]);
  const features = usePages(
    (cursor) => get<Page<ProductFeature>>(`/api/v1/products/${props.productId}/features`, { limit: 200, cursor }),
    [props.productId],
  );
  return (
    <Loaded loading={product.loading} error={product.error} retry={product.reload} ready={product.data !== undefined}>
      {() => {
        const current = product.data!;
        return (
          <>
            <PageHeader
              title={current.name}
              subtitle={
                <>
                  Product <code>{current.short_code}</code> · licenses opened by{" "}
                  {current.authorization_method === "user" ? "user e-mail and password" : "license key"}
                </>
              }
            >
              <a class="button secondary" href={href("licenses", { product: current.id })}>
                Its licenses
              </a>
              <a class="button" href={href("licenses", "new", { product: current.id })}>
                Issue license
              </a>
              <RenameProduct product={current} after={product.reload} />
              <ConfirmButton
                label="Delete product"
                name="delete-product"
                title={`Delete ${current.short_code}?`}
                confirmLabel="Delete product"
                what="Deleting the product"
                done={`Product ${current.short_code} deleted`}
                danger
                action={() => api("DELETE", `/api/v1/products/${current.id}`)}
                after={() => navigate(href("products"))}
              >
                Only a product without licenses can be deleted: its features and custom fields go with it. A product with licenses stays
                (archive its licenses instead).
              </ConfirmButton>
            </PageHeader>
            <div class="columns">
              <Section title="Features">
                <p class="hint">
                  A license gets every feature its product has when it is issued, with these defaults unless it overrides them. A change of
                  defaults reaches every license that does not override the value within 5 seconds.
                </p>
                <Loaded loading={features.loading} error={features.error} retry={features.reload} ready={features.rows !== undefined}>
                  {() =>
                    features.rows!.length === 0 ? (
                      <Empty>No feature yet. Add a metered feature (e.g. “exports”, 1,000 a month) with the form.</Empty>
                    ) : (
                      <Table label="Features" name="product-features" head={["Feature", "Type", "Cap", "Overage", "Resets", ""]}>
                        {features.rows!.map((feature) => (
                          <tr key={feature.id} data-feature={feature.code}>
                            <td>
                              <strong class="mono">{feature.code}</strong>
                              <div class="hint">{feature.name}</div>
                            </td>
                            <td>{feature.feature_type}</td>
                            <td>
                              {feature.feature_type === "activation"
                                ? "—"
                                : feature.allow_unlimited_consumptions
                                  ? "unlimited"
                                  : number(feature.max_consumption)}
                            </td>
                            <td>
                              {feature.feature_type === "consumption" && feature.allow_overages ? `+${number(feature.max_overages)}` : "—"}
                            </td>
                            <td>{feature.reset_consumption && feature.consumption_period ? feature.consumption_period : "never"}</td>
                            <td class="row-actions">
                              {feature.feature_type === "consumption" && (
                                <EditFeatureDefaults product={current} feature={feature} after={features.reload} />
                              )}
                              <FeatureActions product={current} feature={feature} after={features.reload} />
                            </td>
                          </tr>
                        ))}
                      </Table>
                    )
                  }
                </Loaded>
                <MoreButton hasMore={features.hasMore} loading={features.loading} more={features.more} />
              </Section>
              <CreateFeature productId={current.id} after={features.reload} />
            </div>
            <ProductVersions productId={current.id} />
          </>
        );
      }}
    </Loaded>
  );
}

function FeatureActions(props: { product: Product; feature: ProductFeature; after: () => void }) {
  const { product, feature } = props;
  const path = `/api/v1/products/${product.id}/features/${encodeURIComponent(feature.code)}`;
  return (
    <>
      <ConfirmButton
        label="Add to licenses"
        name={`add-to-licenses-${feature.code}`}
        title={`Add ${feature.code} to every license of ${product.short_code}?`}
        confirmLabel="Add to every license"
        what="Adding the feature to the licenses"
        done={(result: { licenses_added: number }) =>
          `${feature.code} added to ${result.licenses_added} license${result.licenses_added === 1 ? "" : "s"}`
        }
        action={() => post(`${path}/add-to-licenses`, {})}
        after={props.after}
      >
        Every license of the product that lacks it gets it, with these defaults, in one call. Licenses it was removed from, and archived
        ones, are left as they are.
      </ConfirmButton>
      <ConfirmButton
        label="Delete"
        name={`delete-feature-${feature.code}`}
        title={`Delete ${feature.code}?`}
        confirmLabel="Delete feature"
        what="Deleting the feature"
        done={`Feature ${feature.code} deleted`}
        danger
        action={() => api("DELETE", path)}
        after={props.after}
      >
        Only a feature that no license carries or ever carried can be deleted. To take it away from licenses, remove it on each license
        page.
      </ConfirmButton>
    </>
  );
}

function RenameProduct(props: { product: Product; after: () => void }) {
  const [name, setName] = useState(props.product.name);
  return (
    <FormDialog
      label="Rename"
      name="rename-product"
      title={`Rename ${props.product.short_code}`}
      submitLabel="Save name"
      what="Renaming the product"
      done="Product renamed"
      onOpen={() => setName(props.product.name)}
      action={() => patch(`/api/v1/products/${props.product.id}`, { name })}
      after={props.after}
    >
      <Field label="Name" name="name" required value={name} onValue={setName} />
    </FormDialog>
  );
}

function EditFeatureDefaults(props: { product: Product; feature: ProductFeature; after: () => void }) {
  const [form, setForm] = useState<RulesForm>(rulesForm(props.feature));
  const [name, setName] = useState(props.feature.name);
  const body = (): UpdateProductFeatureInput => ({ name, ...rulesBody(form) });
  return (
    <FormDialog
      label="Edit defaults"
      name={`edit-feature-${props.feature.code}`}
      title={`Defaults of ${props.feature.code}`}
      submitLabel="Save defaults"
      what="Saving the defaults"
      done={`Defaults of ${props.feature.code} saved`}
      onOpen={() => {
        setForm(rulesForm(props.feature));
        setName(props.feature.name);
      }}
      action={() => patch(`/api/v1/products/${props.product.id}/features/${encodeURIComponent(props.feature.code)}`, body())}
      after={props.after}
    >
      <Field label="Name" name="name" required value={name} onValue={setName} />
      <RulesFields value={form} onChange={setForm} />
    </FormDialog>
  );
}

function CreateFeature(props: { productId: number; after: () => void }) {
  const empty = { code: "", name: "", feature_type: "consumption" as "consumption" | "activation" };
  const [form, setForm] = useState(empty);
  const [rules, setRules] = useState<RulesForm>(rulesForm({ max_consumption: 1000 }));
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const body: CreateProductFeatureInput = form.feature_type === "consumption" ? { ...form, ...rulesBody(rules) } : form;
    const outcome = await run(
      "Adding the feature",
      () => post<ProductFeature>(`/api/v1/products/${props.productId}/features`, body),
      (feature) =>
        `Feature ${feature.code} added${feature.feature_type === "consumption" ? ` (cap ${hardLimit(feature) === null ? "unlimited" : number(feature.max_consumption)})` : ""}`,
    );
    if (outcome.ok) {
      setForm(empty);
      setRules(rulesForm({ max_consumption: 1000 }));
      props.after();
    }
  }
  return (
    <Section title="New feature">
      <form onSubmit={submit} id="create-feature">
        <Field
          label="Code"
          name="code"
          required
          hint="What clients send as feature, e.g. exports."
          value={form.code}
          onValue={(code) => setForm({ ...form, code })}
        />
        <Field label="Name" name="name" required value={form.name} onValue={(name) => setForm({ ...form, name })} />
        <Select
          label="Type"
          name="feature_type"
          value={form.feature_type}
          options={[
            ["consumption", "Metered (consumption)"],
            ["activation", "On or off (activation)"],
          ]}
          onValue={(feature_type) => setForm({ ...form, feature_type })}
        />
        {form.feature_type === "consumption" && <RulesFields value={rules} onChange={setRules} />}
        <button type="submit" disabled={busy}>
          Add feature
        </button>
      </form>
    </Section>
  );
}
