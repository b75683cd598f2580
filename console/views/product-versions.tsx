/**
 * A product's versions (what applications see in versions and installation_file): the list, newest
 * release first, a version withdrawn from clients or published again, and a new version published.
 * The file stays where its URL points (R2, a CDN, the vendor's site).
 */
import { useState } from "preact/hooks";
import { get, patch, post } from "../api";
import { ActionButton } from "../ui/action-button";
import { FormDialog } from "../ui/form-dialog";
import { Empty, Field, Loaded, Section, Table } from "../ui/parts";
import { useResource } from "../ui/resource";
import type { CreateProductVersionInput, ProductVersion } from "../types";

export function ProductVersions(props: { productId: number }) {
  const versions = useResource(() => get<{ data: ProductVersion[] }>(`/api/v1/products/${props.productId}/versions`), [props.productId]);
  return (
    <Section title="Versions">
      <p class="hint">
        What applications see when they check for updates (<code>versions</code>, <code>installation_file</code>); license objects name the
        newest. The file stays where its URL points.
      </p>
      <Loaded loading={versions.loading} error={versions.error} retry={versions.reload} ready={versions.data !== undefined}>
        {() =>
          versions.data!.data.length === 0 ? (
            <Empty>No version published yet.</Empty>
          ) : (
            <Table label="Versions" name="product-versions" head={["Version", "Environment", "Channel", "Released", "File", ""]}>
              {versions.data!.data.map((version) => (
                <tr
                  key={version.id}
                  data-version={`${version.version}/${version.environment}/${version.channel}`}
                  data-enabled={String(version.enabled)}
                >
                  <td>
                    <strong class="mono">{version.version}</strong>
                    {!version.enabled && <div class="hint">withdrawn</div>}
                  </td>
                  <td>{version.environment || "any"}</td>
                  <td>{version.channel || "any"}</td>
                  <td>{version.release_date.slice(0, 10)}</td>
                  <td class="mono">{version.installation_file ?? "none"}</td>
                  <td class="row-actions">
                    <ActionButton
                      label={version.enabled ? "Withdraw" : "Publish again"}
                      name={version.enabled ? "withdraw-version" : "republish-version"}
                      what={version.enabled ? "Withdrawing the version" : "Publishing the version again"}
                      done={`Version ${version.version} ${version.enabled ? "withdrawn" : "published again"}`}
                      action={() => patch(`/api/v1/products/${props.productId}/versions/${version.id}`, { enabled: !version.enabled })}
                      after={versions.reload}
                    />
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <PublishVersion productId={props.productId} after={versions.reload} />
    </Section>
  );
}

function PublishVersion(props: { productId: number; after: () => void }) {
  const empty = { version: "", environment: "", channel: "", released: "", file: "", hash: "" };
  const [form, setForm] = useState(empty);
  const field = (name: keyof typeof empty) => ({ value: form[name], onValue: (value: string) => setForm({ ...form, [name]: value }) });
  const body = (): CreateProductVersionInput => ({
    version: form.version,
    environment: form.environment,
    channel: form.channel,
    release_date: `${form.released}T00:00:00Z`,
    installation_file: form.file || null,
    hash_md5: form.hash || null,
  });
  return (
    <FormDialog
      label="Publish version"
      name="publish-version"
      buttonClass=""
      title="Publish a version"
      submitLabel="Publish"
      what="Publishing the version"
      done={`Version ${form.version} published`}
      onOpen={() => setForm(empty)}
      action={() => post(`/api/v1/products/${props.productId}/versions`, body())}
      after={props.after}
    >
      <Field label="Version" name="version" required hint="e.g. 1.2.0" {...field("version")} />
      <Field label="Environment" name="environment" hint="What clients send as env, e.g. win64 (empty: any)" {...field("environment")} />
      <Field label="Channel" name="channel" hint="e.g. stable (empty: any)" {...field("channel")} />
      <Field label="Release date" name="release_date" type="date" required {...field("released")} />
      <Field label="Installation file URL" name="installation_file" type="url" {...field("file")} />
      <Field label="MD5 of the file" name="hash_md5" hint="32 hexadecimal digits (optional)" {...field("hash")} />
    </FormDialog>
  );
}
