/**
 * The report's rows: each device's outcome from its result, its chunk or its row's problems;
 * CSV and JSON written in the columns' order; the summary counting each outcome.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { InputRow } from "../../../src/cli/input.js";
import { formatSummary, reportColumns, reportRow, writeReport, type ReportRow } from "../../../src/cli/report.js";

const device = { deviceIds: [{ kind: "imei", id: "350000000000000" }] };
const row: InputRow = { line: 2, device, read: device, problems: [] };
const kinds = ["imei"];

async function* rowsOf(rows: ReportRow[]) {
  yield* rows;
}

describe("report rows", () => {
  it("a result wins; without one, the chunk says accepted, refused or not sent", () => {
    const result = { key: "imei:350000000000000", outcome: "failed" as const, source: "callback" as const };
    expect(
      reportRow(row, kinds, { result: { ...result, faultCode: "REQUEST_FAILED.DeviceNotFound", requestId: "r1" } }),
    ).toMatchObject({
      outcome: "failed",
      faultCode: "REQUEST_FAILED.DeviceNotFound",
      source: "callback",
      requestId: "r1",
    });
    expect(reportRow(row, kinds, { chunk: { status: "accepted", fingerprint: "f", requestId: "r2" } })).toMatchObject({
      outcome: "accepted",
      requestId: "r2",
    });
    expect(
      reportRow(row, kinds, { chunk: { status: "failed", fingerprint: "f", error: "INPUT_INVALID.X: no: really" } }),
    ).toMatchObject({ outcome: "failed", faultCode: "INPUT_INVALID.X", faultText: "no: really", source: "response" });
    expect(reportRow(row, kinds, { chunk: { status: "sending", fingerprint: "f" } }).outcome).toBe("not-sent");
    expect(reportRow(row, kinds, {}).outcome).toBe("not-sent");
  });

  it("an invalid row keeps its identifiers and says why", () => {
    const bad: InputRow = {
      line: 7,
      read: { deviceIds: [{ kind: "imei", id: "12" }] },
      problems: [{ line: 7, column: "imei", rule: "pattern", message: "must be 15 or 16 digits (an IMEI)" }],
    };
    expect(reportRow(bad, kinds, {})).toEqual({
      line: 7,
      ids: { imei: "12" },
      outcome: "invalid",
      state: "",
      mdn: "",
      msisdn: "",
      ipAddress: "",
      faultCode: "pattern",
      faultText: "imei must be 15 or 16 digits (an IMEI)",
      source: "input",
      requestId: "",
    });
  });

  it("writes CSV and JSON in the columns' order and counts each outcome and source", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-report-"));
    const ok = reportRow(row, kinds, {
      result: { key: "k", outcome: "succeeded", source: "reconciliation", state: "active", mdn: "5550000001" },
    });
    const faulty = { ...ok, line: 3, outcome: "failed" as const, faultText: "a, b", source: "callback" };
    const csv = path.join(dir, "r.csv");
    const summary = await writeReport(csv, kinds, rowsOf([ok, faulty]));
    expect(readFileSync(csv, "utf8")).toBe(
      "line,imei,outcome,state,mdn,msisdn,ipAddress,faultCode,faultText,source,requestId\n" +
        "2,350000000000000,succeeded,active,5550000001,,,,,reconciliation,\n" +
        '3,350000000000000,failed,active,5550000001,,,,"a, b",callback,\n',
    );
    expect(summary).toEqual({ total: 2, succeeded: 1, failed: 1, sources: { reconciliation: 1, callback: 1 } });
    expect(formatSummary(summary)).toBe("devices    2: 1 succeeded, 1 failed");
    const formula = { ...faulty, line: 4, faultText: '=HYPERLINK("http://x.invalid")' };
    const escaped = path.join(dir, "formula.csv");
    await writeReport(escaped, kinds, rowsOf([formula]));
    expect(readFileSync(escaped, "utf8").split("\n")[1]).toBe(
      `4,350000000000000,failed,active,5550000001,,,,"'=HYPERLINK(""http://x.invalid"")",callback,`,
    );
    const json = path.join(dir, "r.json");
    await writeReport(json, kinds, rowsOf([ok]));
    expect(Object.keys((JSON.parse(readFileSync(json, "utf8")) as object[])[0]!)).toEqual(reportColumns(kinds));
  });
});
