// The audit CSV against formula injection (OWASP "CSV Injection"): hardware ids come from clients,
// and a spreadsheet may open the file with ",", ";", tab or "|" as the delimiter (locales differ) and
// with or without honouring quotes. Whichever way it splits a line, no text cell may begin, after
// leading whitespace, with a formula trigger; numbers stay numbers.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { manage } from "../support/management-client";

const PAYLOADS = [
  ";=cmd|' /C calc'!A0;",
  '=HYPERLINK("http://x","a,b")',
  "=1+1",
  "+1",
  "-2+3",
  "@SUM(A1)",
  " =1+1",
  "\u00a0=1+1",
  "\u2003+1",
  "\u3000@SUM(A1)",
  "\ufeff-1+1",
  "\u200b=1+1",
  "\t=1+1",
  "\r=1+1",
  "\n=1+1",
  "\uff1d1+1",
  "\uff0b1",
  "\uff0d1",
  "\uff20SUM(A1)",
  "x|=1+1",
  "x\t=1+1",
  "x,=1+1",
  'x;"=1+1',
  "x\r\n@SUM(A1)",
  'a"b',
  "a,b",
  "-7",
];

const TRIGGER = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;
const LEADING = /^[\s"\u200b-\u200d\u2060]*/;

/** RFC 4180 as spreadsheets read it: a quote opens a quoted field only at the start of a field. */
function parseQuoted(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let atFieldStart = true;
  while (i < text.length) {
    const char = text[i]!;
    if (atFieldStart && char === '"') {
      i++;
      for (;;) {
        if (i >= text.length) break;
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
      atFieldStart = false;
      continue;
    }
    if (char === delimiter) {
      row.push(cell);
      cell = "";
      atFieldStart = true;
    } else if (char === "\r" || char === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      atFieldStart = true;
      if (char === "\r" && text[i + 1] === "\n") i++;
    } else {
      cell += char;
      atFieldStart = false;
    }
    i++;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** A reader that ignores quotes altogether: every delimiter and line break starts a cell. */
function parseNaive(text: string, delimiter: string): string[][] {
  return text.split(/\r\n|\r|\n/).map((line) => line.split(delimiter));
}

/** Cells a spreadsheet would evaluate: text whose first character after leading whitespace or quotes is a trigger. */
function formulaCells(rows: string[][]): string[] {
  return rows.flat().filter((cell) => !/^-?\d+$/.test(cell) && TRIGGER.test(cell.replace(LEADING, "")));
}

async function exportWith(hardwareIds: string[]): Promise<{ licenseId: number; text: string }> {
  const licenseId = 800_000 + Math.floor(Math.random() * 100_000);
  // Rows as the counter objects' flush writes them; hardware ids are exactly what clients sent.
  await env.DB.batch(
    hardwareIds.map((hardwareId, i) =>
      env.DB.prepare(
        `INSERT INTO consumption_audit (event_id, license_id, license_feature_id, feature_code, hardware_id, consumptions, total_after, event, api_key_id, created_at)
         VALUES (?, ?, 1, 'feature', ?, ?, ?, 'consumption_add', 1, '2026-01-01T00:00:00.000Z')`,
      ).bind(`csv-${licenseId}-${i}`, licenseId, hardwareId, i === 0 ? -7 : 1, i),
    ),
  );
  const response = await manage("GET", `/api/v1/audit/csv?license_id=${licenseId}`);
  expect(response.status).toBe(200);
  return { licenseId, text: await response.text() };
}

describe("audit CSV: formula injection", () => {
  it("no cell is a formula, whichever delimiter a spreadsheet picks and whether or not it honours quotes", async () => {
    const { text } = await exportWith(PAYLOADS);
    for (const delimiter of [",", ";", "\t", "|"]) {
      expect(formulaCells(parseQuoted(text, delimiter)), `quoted, ${JSON.stringify(delimiter)}`).toEqual([]);
      expect(formulaCells(parseNaive(text, delimiter)), `naive, ${JSON.stringify(delimiter)}`).toEqual([]);
    }
  });

  it("each payload is one hardware_id cell: prefixed with a single quote, quoted when it holds a delimiter", async () => {
    const { text } = await exportWith(PAYLOADS);
    const rows = parseQuoted(text, ",").slice(1);
    expect(rows).toHaveLength(PAYLOADS.length);
    const hardwareIds = rows.map((row) => {
      expect(row).toHaveLength(11);
      return row[7];
    });
    expect(hardwareIds).toEqual([
      ";'=cmd|' /C calc'!A0;",
      `'=HYPERLINK("http://x","a,b")`,
      "'=1+1",
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "' =1+1",
      "'\u00a0=1+1",
      "'\u2003+1",
      "'\u3000@SUM(A1)",
      "'\ufeff-1+1",
      "'\u200b=1+1",
      // Tab, CR and LF are triggers and also start a cell for some readers: neutralised as both.
      "'\t'=1+1",
      "'\r'=1+1",
      "'\n'=1+1",
      "'\uff1d1+1",
      "'\uff0b1",
      "'\uff0d1",
      "'\uff20SUM(A1)",
      "x|'=1+1",
      "x\t'=1+1",
      "x,'=1+1",
      `x;'"=1+1`,
      "x\r'\n'@SUM(A1)",
      'a"b',
      "a,b",
      "'-7",
    ]);
    // The payload, byte for byte: quoted (it holds ";"), its "=" neutralised.
    expect(text).toContain(`,";'=cmd|' /C calc'!A0;",`);
    expect(text).toContain(`,"a""b",`);
  });

  it("numbers stay numbers: a negative consumption is -7, unprefixed; plain text is unchanged and unquoted", async () => {
    const { text } = await exportWith(["hw-1.2_3", "x"]);
    const line = text.split("\r\n")[1]!;
    expect(line).toMatch(/,feature,hw-1\.2_3,-7,0,1$/);
  });
});
