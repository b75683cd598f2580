/** Search: customers by a part of their e-mail, name, company or license key; licenses by a part of their key or a user's e-mail. */
import { get, type Page } from "../api";
import { Empty, Loaded, PageHeader, Section } from "../ui/parts";
import { useResource } from "../ui/resource";
import type { CustomerDetail, License } from "../types";
import { CustomerTable } from "./customers";
import { LicenseTable } from "./licenses";

export function SearchView(props: { text: string }) {
  const text = props.text.trim();
  const customers = useResource(async () => (await get<Page<CustomerDetail>>("/api/v1/customers", { q: text, limit: 20 })).data, [text]);
  const licenses = useResource(
    async () =>
      (
        await get<Page<License>>("/api/v1/licenses", {
          ...(text.includes("@") ? { username: text } : { q: text }),
          archived: "any",
          limit: 20,
        })
      ).data,
    [text],
  );
  return (
    <>
      <PageHeader
        title={`Search: ${text}`}
        subtitle="Customers by a part of their e-mail, name, company or license key; licenses by a part of their key, or by a user's e-mail."
      />
      <Section title="Customers" wide>
        <Loaded loading={customers.loading} error={customers.error} retry={customers.reload} ready={customers.data !== undefined}>
          {() => (customers.data!.length === 0 ? <Empty>No customer matches.</Empty> : <CustomerTable customers={customers.data!} />)}
        </Loaded>
      </Section>
      <Section title="Licenses" wide>
        <Loaded loading={licenses.loading} error={licenses.error} retry={licenses.reload} ready={licenses.data !== undefined}>
          {() => (licenses.data!.length === 0 ? <Empty>No license matches.</Empty> : <LicenseTable licenses={licenses.data!} />)}
        </Loaded>
      </Section>
    </>
  );
}
