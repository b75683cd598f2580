import { findApiKey as inner } from "../../../src/db/api-keys.ts";
import { timed } from "./stats.js";
export const findApiKey = (db, apiKey) => timed("D1: API key", inner(db, apiKey));
