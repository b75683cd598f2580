/**
 * Customers: found by a part of their e-mail, name, company or license key; created; a customer's
 * page with its details (edit), its licenses and what was done to it.
 */
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { get, patch, post, type Page } from "../api";
import { href, navigate } from "../router";
import { FormDialog } from "../ui/form-dialog";
import { useAction } from "../ui/notices";
import { Empty, Field, Loaded, MoreButton, PageHeader, Section, Table, dateOnly } from "../ui/parts";
import { useResource, usePages } from "../ui/resource";
import type { Customer, CustomerDetail, License, UpdateCustomerInput } from "../types";
import { ActivityList } from "./activity";
import { LicenseTable } from "./licenses";

export const customerName = (customer: Pick<Customer, "first_name" | "last_name" | "email" | "company_name" | "id">) =>
  [customer.first_name, customer.last_name].filter(Boolean).join(" ") ||
  customer.email ||
  customer.company_name ||
  `Customer ${customer.id}`;

/** The fields a vendor edits most, in order. */
const FIELDS: ReadonlyArray<readonly [keyof UpdateCustomerInput & string, string, "email" | "text"]> = [
  ["email", "E-mail", "email"],
  ["company_name", "Company", "text"],
  ["first_name", "First name", "text"],
  ["last_name", "Last name", "text"],
  ["phone", "Phone", "text"],
  ["reference", "Reference (your CRM id)", "text"],
  ["country", "Country", "text"],
];

type CustomerForm = Record<(typeof FIELDS)[number][0], string>;
const formOf = (customer?: Customer): CustomerForm =>
  Object.fromEntries(FIELDS.map(([name]) => [name, customer ? String(customer[name as keyof Customer] ?? "") : ""])) as CustomerForm;

export function CustomerFields(props: { value: CustomerForm; onChange: (value: CustomerForm) => void; prefix?: string }) {
  return (
    <>
      {FIELDS.map(([name, label, type]) => (
        <Field
          key={name}
          label={label}
          name={`${props.prefix ?? ""}${name}`}
          type={type}
          value={props.value[name]}
          onValue={(value) => props.onChange({ ...props.value, [name]: value })}
        />
      ))}
    </>
  );
}

export function CustomersView(props: { query: URLSearchParams }) {
  const q = props.query.get("q") ?? "";
  const [text, setText] = useState(q);
  const customers = usePages((cursor) => get<Page<CustomerDetail>>("/api/v1/customers", { q, limit: 50, cursor }), [q]);
  return (
    <>
      <PageHeader
        title="Customers"
        subtitle="Who your licenses are sold to. Find one by a part of the e-mail, name, company or of a license key."
      />
      <div class="columns">
        <Section title={q ? `Customers matching “${q}”` : "All customers"}>
          <form
            class="filters"
            role="search"
            aria-label="Customer search"
            onSubmit={(event) => {
              event.preventDefault();
              navigate(href("customers", { q: text.trim() }));
            }}
          >
            <Field label="Find customers" name="q" type="search" value={text} onValue={setText} />
            <button type="submit">Find</button>
          </form>
          <Loaded loading={customers.loading} error={customers.error} retry={customers.reload} ready={customers.rows !== undefined}>
            {() =>
              customers.rows!.length === 0 ? (
                <Empty>{q ? "No customer matches." : "No customer yet: create one, or issue a license with a customer."}</Empty>
              ) : (
                <CustomerTable customers={customers.rows!} />
              )
            }
          </Loaded>
          <MoreButton hasMore={customers.hasMore} loading={customers.loading} more={customers.more} />
        </Section>
        <CreateCustomer />
      </div>
    </>
  );
}

export function CustomerTable(props: { customers: CustomerDetail[] }) {
  return (
    <Table label="Customers" name="customers" head={["Customer", "E-mail", "Company", "Licenses", "Since"]}>
      {props.customers.map((customer) => (
        <tr key={customer.id} data-customer-id={customer.id}>
          <td>
            <a href={href("customers", customer.id)}>{customerName(customer)}</a>
          </td>
          <td>{customer.email || "—"}</td>
          <td>{customer.company_name || "—"}</td>
          <td class="num">{customer.license_count}</td>
          <td>{dateOnly(customer.created_at)}</td>
        </tr>
      ))}
    </Table>
  );
}

function CreateCustomer() {
  const [form, setForm] = useState(formOf());
  const { busy, run } = useAction();
  async function submit(event: Event) {
    event.preventDefault();
    const outcome = await run(
      "Creating the customer",
      () => post<Customer>("/api/v1/customers", form),
      (customer) => `Customer ${customerName(customer)} created`,
    );
    if (outcome.ok) navigate(href("customers", outcome.result.id));
  }
  return (
    <Section title="New customer">
      <form onSubmit={submit} id="create-customer">
        <CustomerFields value={form} onChange={setForm} />
        <button type="submit" disabled={busy}>
          Create customer
        </button>
      </form>
    </Section>
  );
}

export function CustomerView(props: { customerId: number }) {
  const customer = useResource(() => get<CustomerDetail>(`/api/v1/customers/${props.customerId}`), [props.customerId]);
  const licenses = usePages(
    (cursor) => get<Page<License>>("/api/v1/licenses", { customer_id: props.customerId, archived: "any", limit: 50, cursor }),
    [props.customerId],
  );
  const [form, setForm] = useState(formOf());
  return (
    <Loaded loading={customer.loading} error={customer.error} retry={customer.reload} ready={customer.data !== undefined}>
      {() => {
        const current = customer.data!;
        return (
          <div data-customer-id={current.id}>
            <PageHeader
              title={customerName(current)}
              subtitle={[current.company_name, current.email].filter(Boolean).join(" · ") || `Customer ${current.id}`}
            >
              <a class="button" href={href("licenses", "new", { customer: current.id })}>
                Issue license
              </a>
              <FormDialog
                label="Edit"
                name="edit-customer"
                title={`Edit ${customerName(current)}`}
                submitLabel="Save"
                what="Saving the customer"
                done="Customer saved"
                onOpen={() => setForm(formOf(current))}
                action={() => patch(`/api/v1/customers/${current.id}`, form)}
                after={customer.reload}
              >
                <p class="hint">Every license of the customer answers the new values from the next request on.</p>
                <CustomerFields value={form} onChange={setForm} />
              </FormDialog>
            </PageHeader>
            <div class="columns">
              <Section title="Licenses">
                <Loaded loading={licenses.loading} error={licenses.error} retry={licenses.reload} ready={licenses.rows !== undefined}>
                  {() =>
                    licenses.rows!.length === 0 ? <Empty>No license yet: issue one.</Empty> : <LicenseTable licenses={licenses.rows!} />
                  }
                </Loaded>
                <MoreButton hasMore={licenses.hasMore} loading={licenses.loading} more={licenses.more} />
              </Section>
              <Section title="Details">
                <dl class="facts">
                  {FIELDS.map(([name, label]) => (
                    <Fragment key={name}>
                      <dt>{label}</dt>
                      <dd data-fact={name}>{String(current[name as keyof Customer] ?? "") || "—"}</dd>
                    </Fragment>
                  ))}
                </dl>
              </Section>
            </div>
            <Section title="Activity" wide>
              <ActivityList
                filters={{ target_type: "customer", target_id: current.id }}
                label="Activity of this customer"
                limit={20}
                reloadOn={current}
              />
            </Section>
          </div>
        );
      }}
    </Loaded>
  );
}
