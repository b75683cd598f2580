/**
 * A product version: what an application may update to (LicenseSpring's product versioning). The
 * service keeps the description (version, environment, channel, release date, where the file is,
 * its hash and size, links, the minimum version to update from); the file itself lives wherever
 * installation_file points (R2, a CDN, the vendor's site).
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { changes, count, decimal, flag, instant, resourceId, text } from "./fields";

export const ProductVersionPath = z.object({ product_id: decimal("product_id"), version_id: decimal("version_id") });

/** An http(s) URL clients download from or show. */
const link = (name: string) =>
  z
    .url({ protocol: /^https?$/, ...typeMessage(name, "an http(s) URL") })
    .max(2048, `${name} must be at most 2048 characters`)
    .nullable();

/** Environment and channel: free text ("win64", "stable"), "" for none; what clients send as `env` and `channel`. */
const label = (name: string) => z.string(typeMessage(name, "a string")).max(64, `${name} must be at most 64 characters`);

const versionFields = {
  environment: label("environment"),
  channel: label("channel"),
  release_date: instant("release_date"),
  installation_file: link("installation_file"),
  hash_md5: z
    .string(typeMessage("hash_md5", "a string"))
    .regex(/^[0-9a-fA-F]{32}$/, "hash_md5 must be 32 hexadecimal digits")
    .nullable(),
  /** In bytes; kept as text (LicenseSpring answers it as a string). */
  size: count("size")
    .transform((bytes) => String(bytes))
    .nullable(),
  eula_link: link("eula_link"),
  release_notes_link: link("release_notes_link"),
  /** The minimum version a client must have to update to this one (the client decides). */
  requires_version: text("requires_version", 64).nullable(),
  /** Disabled versions are listed here but never answered to clients. */
  enabled: flag("enabled"),
};

export const CreateProductVersionBody = z
  .object({
    version: text("version", 64),
    environment: versionFields.environment.default(""),
    channel: versionFields.channel.default(""),
    release_date: versionFields.release_date,
    installation_file: versionFields.installation_file.default(null),
    hash_md5: versionFields.hash_md5.default(null),
    size: versionFields.size.default(null),
    eula_link: versionFields.eula_link.default(null),
    release_notes_link: versionFields.release_notes_link.default(null),
    requires_version: versionFields.requires_version.default(null),
    enabled: versionFields.enabled.default(true),
  })
  .strict();
export type CreateProductVersionBody = z.infer<typeof CreateProductVersionBody>;

/** Changes a version's description; its number, environment and channel name it and stay. */
export const UpdateProductVersionBody = changes({
  release_date: versionFields.release_date,
  installation_file: versionFields.installation_file,
  hash_md5: versionFields.hash_md5,
  size: versionFields.size,
  eula_link: versionFields.eula_link,
  release_notes_link: versionFields.release_notes_link,
  requires_version: versionFields.requires_version,
  enabled: versionFields.enabled,
});
export type UpdateProductVersionBody = z.infer<typeof UpdateProductVersionBody>;

export const ProductVersionResource = z
  .object({
    id: resourceId(),
    product_id: resourceId(),
    version: z.string(),
    environment: z.string(),
    channel: z.string(),
    release_date: z.string(),
    installation_file: z.string().nullable(),
    hash_md5: z.string().nullable(),
    /** Bytes, as text (LicenseSpring's type for it). */
    size: z.string().nullable(),
    eula_link: z.string().nullable(),
    release_notes_link: z.string().nullable(),
    requires_version: z.string().nullable(),
    enabled: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "ProductVersion" });
export type ProductVersionResource = z.infer<typeof ProductVersionResource>;

/** A product's versions, all in one page (a product has few). */
export const ProductVersionList = z.object({ data: z.array(ProductVersionResource) }).meta({ id: "ProductVersionList" });
