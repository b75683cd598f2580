/**
 * A product version as the SDK reads it: in license objects (`installation_file`, the
 * ActivateLicenseResponse's declared shape), and as installation_file and versions answer it.
 * Unset texts follow each declaration: "" where the SDK declares a string, absent where it
 * declares `string | undefined`, null where it declares `string | null`.
 */
import type { ProductVersionResource } from "../models/product-version";

/** The `installation_file` of a license object: the newest version the client's build may install, or null. */
export function licenseInstallationFile(version: ProductVersionResource | null) {
  if (!version) return null;
  return {
    id: version.id,
    channel: version.channel,
    environment: version.environment,
    version: version.version,
    installation_file: version.installation_file ?? "",
    hash_md5: version.hash_md5 ?? "",
    eula_link: version.eula_link ?? "",
    release_date: version.release_date,
    requires_version: version.requires_version,
    size: version.size,
    release_notes_link: version.release_notes_link ?? "",
  };
}

const present = <K extends string>(key: K, value: string | null) => (value === null ? {} : ({ [key]: value } as Record<K, string>));

/** The texts both answers declare `string | undefined`: present when the vendor set them. */
function describedTexts(version: ProductVersionResource) {
  return {
    ...present("hash_md5", version.hash_md5),
    ...present("eula_link", version.eula_link),
    ...present("release_notes_link", version.release_notes_link),
    ...present("size", version.size),
    ...present("requires_version", version.requires_version),
  };
}

/** installation_file's answer (the SDK's InstallationFileResponse). */
export function installationFileBody(version: ProductVersionResource, companyId: number) {
  return {
    id: version.id,
    version: version.version,
    ...present("installation_file", version.installation_file),
    release_date: version.release_date,
    environment: version.environment,
    channel: version.channel,
    ...describedTexts(version),
    company: { id: companyId },
  };
}

/** product_details' `latest_version` (the SDK's GetProductDetailsResponse declares it so). */
export function latestVersionBody(version: ProductVersionResource) {
  const filename =
    version.installation_file === null ? null : decodeURIComponent(new URL(version.installation_file).pathname.split("/").at(-1) ?? "");
  return {
    id: version.id,
    version: version.version,
    ...present("full_link", version.installation_file),
    ...present("filename", filename || null),
    release_date: version.release_date,
    environment: version.environment,
    channel: version.channel,
    ...describedTexts(version),
    created_at: version.created_at,
    // Changes to a version are not timed: its creation is when it was last published.
    updated_at: version.created_at,
    enabled: version.enabled,
    product_id: version.product_id,
  };
}
