/** Issue a license: the product, the terms (type, validity, seats), who it is for, and its key or users. */
import { useEffect, useState } from "preact/hooks";
import { get, post, type Page } from "../api";
import { href, navigate } from "../router";
import { useAction } from "../ui/notices";
import { Checkbox, Empty, Field, Loaded, PageHeader, Section, Select, endOfDay } from "../ui/parts";
import { useResource } from "../ui/resource";
import { typedNumber } from "../ui/rules-fields";
import type { CustomerDetail, IssueLicenseInput, LicenseDetail, LicenseType, Product } from "../types";
import { licenseName } from "../ui/format";
import { customerName } from "./customers";
import { LICENSE_TYPES } from "./license-terms";

const emptyCustomer = { email: "", first_name: "", last_name: "", company_name: "" };

/** Who the license is for: nobody yet, a customer already here (found by search), or a new one. */
type CustomerChoice = "new" | "existing" | "none";

/** Finds an existing customer by a part of its e-mail, name, company or license key, and picks one. */
function CustomerSearch(props: { picked: CustomerDetail | null; onPick: (customer: CustomerDetail | null) => void }) {
  const [text, setText] = useState("");
  const [found, setFound] = useState<CustomerDetail[] | null>(null);
  async function find() {
    const page = await get<Page<CustomerDetail>>("/api/v1/customers", { q: text.trim(), limit: 20 });
    setFound(page.data);
    props.onPick(page.data[0] ?? null);
  }
  return (
    <>
      <div class="inline-form">
        <Field label="Find the customer" name="customer_q" type="search" value={text} onValue={setText} />
        <button type="button" class="secondary" onClick={() => void find()}>
          Find
        </button>
      </div>
      {found !== null && found.length === 0 && <p class="hint">No customer matches: choose “a new customer” instead.</p>}
      {(found?.length || props.picked) && (
        <Select
          label="Customer"
          name="customer_id"
          value={String(props.picked?.id ?? "")}
          options={(found ?? (props.picked ? [props.picked] : [])).map(
            (customer) => [String(customer.id), `${customerName(customer)} · ${customer.email || customer.company_name}`] as const,
          )}
          onValue={(id) => props.onPick((found ?? []).find((customer) => String(customer.id) === id) ?? props.picked)}
        />
      )}
    </>
  );
}

export function IssueLicenseView(props: { productId: string | null; customerId: string | null }) {
  const products = useResource(() => get<Page<Product>>("/api/v1/products", { limit: 200 }), []);
  const [choice, setChoice] = useState<CustomerChoice>(props.customerId ? "existing" : "new");
  const [picked, setPicked] = useState<CustomerDetail | null>(null);
  useEffect(() => {
    if (props.customerId) void get<CustomerDetail>(`/api/v1/customers/${props.customerId}`).then(setPicked, () => setChoice("new"));
  }, [props.customerId]);
  const [productId, setProductId] = useState(props.productId ?? "");
  const [terms, setTerms] = useState({
    license_key: "",
    license_type: "perpetual" as LicenseType,
    validity: "",
    max_activations: "1",
    unlimited: false,
    max_consumptions: "0",
  });
  const [user, setUser] = useState({ username: "", password: "" });
  const [customer, setCustomer] = useState(emptyCustomer);
  const { busy, run } = useAction();

  return (
    <>
      <PageHeader
        title="Issue a license"
        subtitle="The license gets every feature of its product with the product's defaults; change a feature's cap on the license page afterwards."
      />
      <Loaded loading={products.loading} error={products.error} retry={products.reload} ready={products.data !== undefined}>
        {() => {
          const list = products.data!.data;
          if (list.length === 0)
            return (
              <Empty>
                A license belongs to a product: <a href={href("products")}>create a product</a> first.
              </Empty>
            );
          const product = list.find((candidate) => String(candidate.id) === productId) ?? list[0]!;
          const userBased = product.authorization_method === "user";
          async function submit(event: Event) {
            event.preventDefault();
            const hasCustomer = Object.values(customer).some((value) => value.trim() !== "");
            const body: IssueLicenseInput = {
              product_id: product.id,
              license_type: terms.license_type,
              validity_period: endOfDay(terms.validity),
              max_activations: typedNumber(terms.max_activations),
              allow_unlimited_activations: terms.unlimited,
              ...(terms.license_type === "consumption" ? { consumption: { max_consumptions: typedNumber(terms.max_consumptions) } } : {}),
              ...(userBased
                ? { users: [{ username: user.username.trim(), ...(user.password ? { password: user.password } : {}) }] }
                : terms.license_key.trim()
                  ? { license_key: terms.license_key.trim() }
                  : {}),
              ...(choice === "existing" && picked ? { customer_id: picked.id } : {}),
              ...(choice === "new" && hasCustomer ? { customer } : {}),
            };
            const outcome = await run(
              "Issuing the license",
              () => post<LicenseDetail>("/api/v1/licenses", body),
              (license) => `License ${licenseName(license)} issued`,
            );
            if (outcome.ok) navigate(href("licenses", outcome.result.id));
          }
          return (
            <form onSubmit={submit} id="issue-license" class="columns">
              <Section title="Product and terms">
                <Select
                  label="Product"
                  name="product_id"
                  value={String(product.id)}
                  options={list.map((candidate) => [String(candidate.id), `${candidate.name} (${candidate.short_code})`] as const)}
                  onValue={setProductId}
                />
                {userBased ? (
                  <>
                    <Field
                      label="User e-mail"
                      name="username"
                      type="email"
                      required
                      value={user.username}
                      onValue={(username) => setUser({ ...user, username })}
                    />
                    <Field
                      label="User password (optional)"
                      name="password"
                      type="password"
                      hint="At least 8 characters; without one, the user cannot sign in until one is set."
                      value={user.password}
                      onValue={(password) => setUser({ ...user, password })}
                      autocomplete="new-password"
                    />
                  </>
                ) : (
                  <Field
                    label="License key (optional)"
                    name="license_key"
                    hint="Leave empty to generate one (XXXX-XXXX-XXXX-XXXX)."
                    value={terms.license_key}
                    onValue={(license_key) => setTerms({ ...terms, license_key })}
                  />
                )}
                <Select
                  label="Type"
                  name="license_type"
                  value={terms.license_type}
                  options={LICENSE_TYPES}
                  onValue={(license_type) => setTerms({ ...terms, license_type })}
                />
                {terms.license_type === "consumption" && (
                  <Field
                    label="License-level cap (max consumptions)"
                    name="max_consumptions"
                    type="number"

                    value={terms.max_consumptions}
                    onValue={(max_consumptions) => setTerms({ ...terms, max_consumptions })}
                  />
                )}
                <Field
                  label="Valid until (optional)"
                  name="validity_period"
                  type="date"
                  hint="The end of that day, UTC. Empty: no expiry."
                  value={terms.validity}
                  onValue={(validity) => setTerms({ ...terms, validity })}
                />
                <Field
                  label="Seats (devices at once)"
                  name="max_activations"
                  type="number"

                  disabled={terms.unlimited}
                  value={terms.max_activations}
                  onValue={(max_activations) => setTerms({ ...terms, max_activations })}
                />
                <Checkbox
                  label="Unlimited seats"
                  name="allow_unlimited_activations"
                  checked={terms.unlimited}
                  onChange={(unlimited) => setTerms({ ...terms, unlimited })}
                />
              </Section>
              <Section title="Customer">
                <Select
                  label="The license is for"
                  name="customer_choice"
                  value={choice}
                  options={[
                    ["new", "a new customer"],
                    ["existing", "a customer already here"],
                    ["none", "nobody yet"],
                  ]}
                  onValue={setChoice}
                />
                {choice === "existing" && <CustomerSearch picked={picked} onPick={setPicked} />}
                {choice === "new" && (
                  <>
                    <p class="hint">A customer with this e-mail already here gets the license (and these values).</p>
                    <Field
                      label="E-mail"
                      name="customer_email"
                      type="email"
                      value={customer.email}
                      onValue={(email) => setCustomer({ ...customer, email })}
                    />
                    <Field
                      label="Company"
                      name="customer_company"
                      value={customer.company_name}
                      onValue={(company_name) => setCustomer({ ...customer, company_name })}
                    />
                    <Field
                      label="First name"
                      name="customer_first_name"
                      value={customer.first_name}
                      onValue={(first_name) => setCustomer({ ...customer, first_name })}
                    />
                    <Field
                      label="Last name"
                      name="customer_last_name"
                      value={customer.last_name}
                      onValue={(last_name) => setCustomer({ ...customer, last_name })}
                    />
                  </>
                )}
                <button type="submit" disabled={busy}>
                  Issue license
                </button>
              </Section>
            </form>
          );
        }}
      </Loaded>
    </>
  );
}
