/**
 * The journal: what it records survives a reopen with --resume, a cut-short last line is
 * ignored, and a journal is never resumed by another run nor overwritten by mistake.
 */
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonDigest, openJournal, type RunIdentity } from "../../../src/cli/journal.js";

const dir = mkdtempSync(path.join(tmpdir(), "cli-journal-"));
const identity: RunIdentity = {
  operation: "activateDevices",
  input: "/data/devices.csv",
  inputDigest: "abc",
  bodyDigest: jsonDigest({ servicePlan: "m2m4g", mdnZipCode: "98801" }),
  chunkSize: 100,
};
const fresh = { resume: false, restart: false };
const resume = { resume: true, restart: false };

describe("journal", () => {
  it("records chunks and results, and a resumed run reads them back", async () => {
    const at = path.join(dir, "a.journal");
    const journal = await openJournal(at, identity, fresh);
    journal.sending(0, "100:aaaa");
    journal.accepted(0, "request-1");
    journal.sending(1, "100:bbbb");
    journal.result({ key: "imei:1", outcome: "succeeded", source: "callback", requestId: "request-1" });
    journal.close();
    appendFileSync(at, '{"type":"accepted","ind'); // a crash in the middle of a write
    const again = await openJournal(at, identity, resume);
    again.close();
    expect([...again.chunks]).toEqual([
      [0, { status: "accepted", fingerprint: "100:aaaa", requestId: "request-1" }],
      [1, { status: "sending", fingerprint: "100:bbbb" }],
    ]);
    expect(again.results.get("imei:1")).toEqual({
      key: "imei:1",
      outcome: "succeeded",
      source: "callback",
      requestId: "request-1",
    });
    expect(readFileSync(at, "utf8").split("\n")[0]).toBe(JSON.stringify({ type: "run", ...identity }));
  });

  it("after a line cut short, a resumed run writes on a new line, so a second resume still reads every entry", async () => {
    const at = path.join(dir, "cut.journal");
    const journal = await openJournal(at, identity, fresh);
    journal.sending(0, "100:aaaa");
    journal.close();
    appendFileSync(at, '{"type":"accepted","ind'); // a crash in the middle of a write
    const second = await openJournal(at, identity, resume);
    second.accepted(0, "request-1");
    second.close();
    const third = await openJournal(at, identity, resume);
    third.close();
    expect([...third.chunks]).toEqual([[0, { status: "accepted", fingerprint: "100:aaaa", requestId: "request-1" }]]);
  });

  it("refuses a journal with a damaged line that is not the last, naming the line", async () => {
    const at = path.join(dir, "damaged.journal");
    const journal = await openJournal(at, identity, fresh);
    journal.sending(0, "100:aaaa");
    journal.close();
    appendFileSync(at, 'not json\n{"type":"accepted","index":0}\n');
    await expect(openJournal(at, identity, resume)).rejects.toThrow(
      `--resume: ${at} line 3 is not a journal entry and is not the last line: the journal is damaged, so what was ` +
        "sent cannot be known from it. Look the devices up (reconcile) before --restart.",
    );
  });

  it("refuses to resume another input, operation, body or chunk size, and to overwrite without --restart", async () => {
    const at = path.join(dir, "b.journal");
    (await openJournal(at, identity, fresh)).close();
    const refusals: [Partial<RunIdentity>, string][] = [
      [{ operation: "goToState" }, "it is a journal of activateDevices, not goToState"],
      [{ inputDigest: "changed" }, "it is a journal of another input (/data/devices.csv, or the file changed since)"],
      [{ bodyDigest: jsonDigest({ servicePlan: "other" }) }, "it was written with other flags or another template"],
      [{ chunkSize: 50 }, "it used --chunk-size 100"],
    ];
    for (const [change, reason] of refusals) {
      await expect(openJournal(at, { ...identity, ...change }, resume)).rejects.toThrow(
        `--resume: ${at} cannot be resumed: ${reason}. --restart starts over.`,
      );
    }
    await expect(openJournal(at, identity, fresh)).rejects.toThrow(
      `${at} exists: an earlier run of this input. --resume continues it`,
    );
    await expect(openJournal(path.join(dir, "none.journal"), identity, resume)).rejects.toThrow(
      "--resume: there is no journal at",
    );
    const restarted = await openJournal(at, identity, { resume: false, restart: true });
    restarted.close();
    expect(restarted.chunks.size).toBe(0);
  });

  it("the body's digest does not depend on the order of its fields", () => {
    expect(jsonDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(jsonDigest({ b: { d: 3, c: 2 }, a: 1 }));
  });
});
