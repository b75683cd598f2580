/**
 * A license user (user-based products): a username that signs in with a password (stored as a
 * PBKDF2 hash, never answered) on one license.
 */
import { z } from "zod";
import { typeMessage } from "../license-api/schemas";
import { flag, optionalText, text } from "./fields";

const names = {
  first_name: optionalText("first_name"),
  last_name: optionalText("last_name"),
  phone_number: optionalText("phone_number"),
};

/** A user of a license issued here: the username is an e-mail address, the password as strict as change_password's. */
export const LicenseUserInput = z
  .object({
    username: z.email(typeMessage("username", "an e-mail address")).max(256, "username must be at most 256 characters"),
    password: z.string(typeMessage("password", "a string")).min(8, "password must be at least 8 characters").max(256).optional(),
    ...names,
  })
  .strict();
export type LicenseUserInput = z.infer<typeof LicenseUserInput>;

/**
 * A license user as exported from LicenseSpring: the username clients send (not checked to be an
 * e-mail address), and the password if the vendor has it (LicenseSpring shows a user's initial
 * password, never one the user chose). Without one the user cannot activate with a password until
 * a later import row supplies it.
 */
export const ImportedLicenseUserInput = z
  .object({
    username: text("username"),
    password: z.string(typeMessage("password", "a string")).min(1, "password must not be empty").max(256).optional(),
    is_initial_password: flag("is_initial_password").default(true),
    ...names,
  })
  .strict();
export type ImportedLicenseUserInput = z.infer<typeof ImportedLicenseUserInput>;

/** A license user as the license detail shows it (never a password or its hash). */
export const LicenseUserResource = z
  .object({
    username: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    phone_number: z.string(),
    is_initial_password: z.boolean(),
  })
  .meta({ id: "LicenseUser" });
export type LicenseUserResource = z.infer<typeof LicenseUserResource>;
