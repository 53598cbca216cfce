/**
 * Reading the command's input: every row checked against the spec with its line and column,
 * duplicates found, JSON Lines read as the spec's device objects, and the files that cannot be
 * read at all refused with a clear error.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deviceCheck, formatProblem, InputError, readDeviceBatches, readDevices } from "../../../src/cli/input.js";
import { InputChangedError } from "../../../src/cli/input-blocks.js";
import { scanInput } from "../../../src/cli/scan.js";

const dir = mkdtempSync(path.join(tmpdir(), "cli-input-"));
const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};
const activate = deviceCheck("activateDevices", { servicePlan: "m2m4g", mdnZipCode: "98801" });

/** `text` written as `name`, then scanned as an activation's input. */
async function scanned(name: string, text: string) {
  const at = file(name, text);
  return { at, scan: await scanInput(at, "activateDevices", activate) };
}

describe("scanInput", () => {
  it("names each bad row's line, column, value, rule and what is allowed", async () => {
    const { scan } = await scanned(
      "bad.csv",
      "imei,iccid,ipAddress\n" +
        "350000000000000,89140000000000000000,\n" +
        "\n" + // an empty line still counts as a line
        "35000000000000X,89140000000000000001,\n" +
        "350000000000002,,10.0.0.300\n",
    );
    expect(scan.problems.map(formatProblem)).toEqual([
      'line 4, column imei ("35000000000000X"): must be 15 or 16 digits (an IMEI) [pattern]',
      'line 5, column ipAddress ("10.0.0.300"): must be an IPv4 address: four numbers from 0 to 255 joined by dots, the first not 0 [format]',
    ]);
    expect(scan.deviceCount).toBe(1);
    expect([...scan.invalidLines]).toEqual([4, 5]);
    expect(scan.kinds).toEqual(["imei", "iccid"]);
  });

  it("finds each bad row among many valid ones, by its own line, even after a quoted cell over two lines", async () => {
    const rows = Array.from({ length: 3000 }, (_, n) => `${350000000000000 + n},${89140000000000000000n + BigInt(n)}`);
    rows[1] = `"35000000000000\n1",89140000000000000001`; // one row over lines 3 and 4
    rows[1499] = "35000000000149X,89140000000000001499";
    rows[1500] = "350000000001500,8914000000000000150X";
    const { scan } = await scanned("many.csv", `imei,iccid\n${rows.join("\n")}\n`);
    expect(scan.problems.map(({ line, column, rule }) => `${line} ${column} ${rule}`)).toEqual([
      "4 imei pattern",
      "1502 imei pattern",
      "1503 iccid pattern",
    ]);
    expect(scan.deviceCount).toBe(2997);
  });

  it("a device given twice is a bad row that names the first line", async () => {
    const { at: csv, scan } = await scanned(
      "twice.csv",
      "iccid,imei\n89140000000000000000,350000000000000\n89140000000000000001,350000000000001\n89140000000000000009,350000000000000\n",
    );
    expect(scan.problems.map(formatProblem)).toEqual([
      "line 4, column imei: repeats the device of line 2 (imei 350000000000000): each device once per file [unique]",
    ]);
    expect(scan.deviceCount).toBe(2);
    const sent = [];
    for await (const device of readDevices(csv, "activateDevices", scan.invalidLines, scan.blocks)) sent.push(device);
    expect(sent.map((device) => device.deviceIds[1]!.id)).toEqual(["350000000000000", "350000000000001"]);
  });

  it("reads JSON Lines as the spec's device objects, naming the field of a bad one", async () => {
    const { scan } = await scanned(
      "devices.jsonl",
      '{"deviceIds":[{"kind":"imei","id":"350000000000000"}],"ipAddress":"10.1.2.3"}\n' +
        "not json\n" +
        '{"deviceIds":[{"kind":"IMEI","id":"350000000000001"}]}\n' +
        '{"deviceIds":[{"kind":"imei","id":"350000000000002"}],"colour":"red"}\n',
    );
    expect(scan.problems.map(formatProblem)).toEqual([
      "line 2: is not valid JSON (one device object a line) [json]",
      'line 3, column deviceIds/0/kind: must be one of "esn", "meid", "imei", "iccid", "eid", "mdn", "msisdn", "imsi", "min" [enum]',
      "line 4, column colour: is not a known field (check its spelling) [additionalProperties]",
    ]);
  });

  it("an add takes no ipAddress column; reconcile takes identifiers only", async () => {
    const csv = file("add.csv", "imei,ipAddress\n350000000000000,10.0.0.1\n");
    await expect(scanInput(csv, "addDevices", deviceCheck("addDevices", { state: "preactive" }))).rejects.toThrow(
      'unknown column "ipAddress"; the columns allowed for addDevices are esn, meid, imei, iccid, eid, mdn, msisdn, imsi, min',
    );
    await expect(scanInput(csv, "reconcile", deviceCheck("reconcile", {}))).rejects.toThrow(InputError);
  });

  it("reads a byte order mark, CRLF lines, spaces around cells and blank lines as csv files have them", async () => {
    const { at, scan } = await scanned(
      "windows.csv",
      '\ufeff"imei", iccid\r\n' +
        " 350000000000000 , 89140000000000000000\r\n" +
        "   \r\n" + // a line of spaces is no row, and still a line
        '"35000000000000X",89140000000000000001\r\n' +
        '"350000000000002","8914000000000000\r\n0002"\r\n' + // one row over lines 5 and 6
        "350000000000003,89140000000000000003",
    );
    expect(scan.problems.map(formatProblem)).toEqual([
      'line 4, column imei ("35000000000000X"): must be 15 or 16 digits (an IMEI) [pattern]',
      'line 6, column iccid ("8914000000000000\\r\\n0002"): must be 18 to 20 digits (an ICCID) [pattern]',
    ]);
    const sent = [];
    for await (const device of readDevices(at, "activateDevices", scan.invalidLines, scan.blocks)) sent.push(device);
    expect(sent).toEqual([
      {
        deviceIds: [
          { kind: "imei", id: "350000000000000" },
          { kind: "iccid", id: "89140000000000000000" },
        ],
      },
      {
        deviceIds: [
          { kind: "imei", id: "350000000000003" },
          { kind: "iccid", id: "89140000000000000003" },
        ],
      },
    ]);
  });

  it("reads a quoted cell whose line break a block's end cuts in two (the closing quote and \\r, then \\n)", async () => {
    // Rows of 40 bytes after a header of 12: the first row's spaces (trimmed) put a row's \r at
    // the first 64 KiB block's last byte.
    const rows = Array.from(
      { length: 2000 },
      (_, n) => `${350000000000000 + n},"${89140000000000000000n + BigInt(n)}"`,
    );
    const pad = (65_535 - 12 - 38) % 40;
    rows[0] = rows[0]!.replace(",", `${" ".repeat(pad)},`);
    const text = `imei,iccid\r\n${rows.join("\r\n")}\r\n`;
    expect(text.slice(65_534, 65_537)).toBe('"\r\n');
    const { at, scan } = await scanned("crlf-block.csv", text);
    expect(scan.problems).toEqual([]);
    expect(scan.deviceCount).toBe(2000);
    const sent = [];
    for await (const device of readDevices(at, "activateDevices", scan.invalidLines, scan.blocks)) sent.push(device);
    expect(sent.map((device) => device.deviceIds[1]!.id)).toEqual(
      rows.map((_, n) => String(89140000000000000000n + BigInt(n))),
    );
  });

  it("refuses a file whose row does not end (a quote not closed, text after a closing quote), naming the row's first line", async () => {
    const valid = Array.from({ length: 2000 }, (_, n) => `${350000000000000 + n},${89140000000000000000n + BigInt(n)}`);
    const cases: [string, number, string][] = [
      [
        file("open.csv", `imei,iccid\n${valid.join("\n")}\n"350000000002000,89140000000000002000\n`),
        2002,
        "quoted field unterminated",
      ],
      [
        file("after.csv", `imei,iccid\n350000000000000,"8914000000000000000"0\n${valid[1]}\n`),
        2,
        "trailing quote on quoted field is malformed",
      ],
    ];
    for (const [at, line, detail] of cases) {
      await expect(scanInput(at, "activateDevices", activate)).rejects.toThrow(
        new InputError(
          `${at}, line ${line}: the row that starts there cannot be read: ${detail}. ` +
            'A quoted cell ends with a quote followed by a comma or the line\'s end; a quote inside it is written twice ("").',
        ),
      );
    }
    // A quote left open early is found once the row has run on past a mebibyte, not at the file's end.
    const endless = file("endless.csv", `imei,iccid\n"${"3".repeat(1_100_000)}\n${valid.join("\n")}\n`);
    await expect(scanInput(endless, "activateDevices", activate)).rejects.toThrow(
      "endless.csv, line 2: the row that starts there cannot be read: it runs on past 1,048,576 characters (a quote not closed?).",
    );
  });

  it("refuses a missing file, an empty one, a header without identifiers, a repeated column", async () => {
    const cases: [string, string][] = [
      [path.join(dir, "nothing-here.csv"), "nothing-here.csv: no such file"],
      [file("empty.csv", ""), "empty.csv: the file is empty (expected a header row, then one device a row)"],
      [file("blank.csv", "\n\n"), "blank.csv: the file is empty (expected a header row, then one device a row)"],
      [file("header.csv", "imei,iccid\n"), "header.csv: no devices (expected one device a row after the header)"],
      [
        file("noid.csv", "ipAddress\n10.0.0.1\n"),
        "noid.csv, line 1: no identifier column; the header needs at least one of esn",
      ],
      [file("repeat.csv", "imei,imei\n1,2\n"), 'repeat.csv, line 1: column "imei" is given twice'],
    ];
    for (const [at, message] of cases) {
      await expect(scanInput(at, "activateDevices", activate)).rejects.toThrow(message);
    }
  });
});

describe("the read that sends (readDeviceBatches with the scan's blocks)", () => {
  // 3,000 rows of 37 bytes: the file spans two 64 KiB blocks of the read stream and a bit.
  const rows = Array.from({ length: 3000 }, (_, n) => `${350000000000000 + n},${89140000000000000000n + BigInt(n)}`);
  const csvText = `imei,iccid\n${rows.join("\n")}\n`;
  const imeis = (devices: { deviceIds: { id: string }[] }[]) => devices.map((device) => device.deviceIds[0]!.id);
  const readAll = async (at: string, scan: Awaited<ReturnType<typeof scanInput>>) => {
    const read: { deviceIds: { id: string }[] }[] = [];
    const pages: number[] = [];
    try {
      for await (const page of readDeviceBatches(at, "activateDevices", scan.invalidLines, scan.blocks)) {
        pages.push(page.length);
        read.push(...page);
      }
      return { read, pages, error: undefined };
    } catch (error) {
      return { read, pages, error };
    }
  };

  it("reads the devices the scan checked, the rows of a file block to a page", async () => {
    const csv = file("same.csv", csvText);
    const scan = await scanInput(csv, "activateDevices", activate);
    // What the journal names the input by: the SHA-256 of the bytes the scan checked.
    expect(scan.blocks.digest).toBe(createHash("sha256").update(csvText).digest("hex"));
    const { read, pages, error } = await readAll(csv, scan);
    expect(error).toBeUndefined();
    expect(imeis(read)).toEqual(rows.map((row) => row.split(",")[0]));
    // A block's whole rows are a page; the row the block's end cuts in two is read with the next.
    expect(pages).toEqual([Math.floor((65_536 - 11) / 37), 3000 - Math.floor((65_536 - 11) / 37)]);
  });

  it("stops at a row changed on disk since the scan: the changed row (now invalid) is never read, the error says so", async () => {
    const csv = file("changed.csv", csvText);
    const scan = await scanInput(csv, "activateDevices", activate);
    // The row of device 2,500 is in the file's second block (from byte 65,536 on).
    const changed = csvText.replace("350000000002500,", "35000000000250X,");
    expect(changed.indexOf("35000000000250X")).toBeGreaterThan(65_536);
    writeFileSync(csv, changed);
    const { read, error } = await readAll(csv, scan);
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toBe(
      `${csv} changed after it was checked (its bytes from offset 65536 on are not those checked): ` +
        "no device was sent from there on; the journal records the chunks sent before. " +
        "Run the command again to check and send the file as it is now.",
    );
    // Only rows wholly in the first block, as the scan checked them.
    expect(imeis(read)).toEqual(rows.slice(0, read.length).map((row) => row.split(",")[0]));
    expect(read.length).toBeLessThan(65_536 / 37);
  });

  it("stops when the file was cut short at a block's end, so that a row cut in two is never read", async () => {
    const csv = file("cut.csv", csvText);
    const scan = await scanInput(csv, "activateDevices", activate);
    writeFileSync(csv, csvText.slice(0, 65_536));
    const { read, error } = await readAll(csv, scan);
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toContain("(its bytes from offset 65536 on are not those checked)");
    expect(imeis(read)).toEqual(rows.slice(0, read.length).map((row) => row.split(",")[0]));
    expect(read.length).toBeLessThan(65_536 / 37);
  });

  it("reads JSON Lines the same way: a changed line stops the read", async () => {
    const lines = rows.map((row) => JSON.stringify({ deviceIds: [{ kind: "imei", id: row.split(",")[0] }] }));
    const jsonl = file("changed.jsonl", `${lines.join("\n")}\n`);
    const scan = await scanInput(jsonl, "activateDevices", activate);
    expect((await readAll(jsonl, scan)).read).toHaveLength(3000);
    writeFileSync(jsonl, `${lines.join("\n")}\n`.replace("350000000002999", "350000000009999"));
    const { read, error } = await readAll(jsonl, scan);
    expect(error).toBeInstanceOf(InputChangedError);
    expect(imeis(read)).toEqual(rows.slice(0, read.length).map((row) => row.split(",")[0]));
    expect(read.length).toBeLessThan(3000);
  });
});
