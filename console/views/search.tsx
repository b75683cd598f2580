/** Search: a license by its key, or the licenses of a user's e-mail. */
import { get, type Page } from "../api";
import { Empty, Loaded, PageHeader, Section } from "../ui/parts";
import { useResource } from "../ui/resource";
import type { License } from "../types";
import { LicenseTable } from "./licenses";

export function SearchView(props: { text: string }) {
  const results = useResource(async () => {
    const text = props.text.trim();
    const query = text.includes("@") ? { username: text } : { license_key: text };
    return (await get<Page<License>>("/api/v1/licenses", { ...query, limit: 50 })).data;
  }, [props.text]);
  return (
    <>
      <PageHeader title={`Search: ${props.text}`} />
      <Section title="Licenses" wide>
        <Loaded loading={results.loading} error={results.error} retry={results.reload} ready={results.data !== undefined}>
          {() => (results.data!.length === 0 ? <Empty>No license has this key or user.</Empty> : <LicenseTable licenses={results.data!} />)}
        </Loaded>
      </Section>
    </>
  );
}
