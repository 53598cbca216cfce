/**
 * Reading the command's input: every row checked against the spec with its line and column,
 * duplicates found, JSON Lines read as the spec's device objects, and the files that cannot be
 * read at all refused with a clear error.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deviceCheck, formatProblem, InputError, readDevices, scanInput } from "../../../src/cli/input.js";

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
    for await (const device of readDevices(csv, "activateDevices", activate, scan.invalidLines)) sent.push(device);
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
