export * from "../../../src/db/license-context.ts";
import { findLicenseContext as inner } from "../../../src/db/license-context.ts";
import { timed } from "./stats.js";
export const findLicenseContext = (db, lookup) => timed("D1: license context", inner(db, lookup));
