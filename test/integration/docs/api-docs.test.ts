/**
 * The published API docs (`npm run docs`), built into a temporary directory and read in
 * headless Chromium (the npm package @sparticuz/chromium, a devDependency, or the browser that
 * CHROMIUM_PATH names; driven by playwright-core) with every request
 * outside the page refused: the page must render every operation, webhook, callback and
 * example of the spec from the file alone.
 *
 * Set KEEP_DOCS_TEST_OUTPUT=1 to keep the built page and its screenshots (the path is printed).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sparticuzChromium from "@sparticuz/chromium";
import { chromium, type Browser, type Locator } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildDocs, type BuiltDocs } from "../../../scripts/build-docs.js";
import { specDocument } from "../../support/spec-document.js";
import { documentedOperations, documentedTags, leafTexts, type DocumentedExample } from "./documented-operations.js";
import { escapeRegExp } from "./escape-reg-exp.js";
import { RedocPage } from "./redoc-page.js";

// The browser comes from `npm ci` (@sparticuz/chromium unpacks its build into the temp
// directory on first use), so the test needs nothing installed on the machine; CHROMIUM_PATH
// names a system browser instead.
const chromiumPath = process.env.CHROMIUM_PATH || (await sparticuzChromium.executablePath());
// The package's own `args` list crashes this build under playwright (SIGTRAP): these suffice.
const chromiumArgs = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const missingChromium =
  `Chromium is not at ${chromiumPath}, and the API docs test renders the page in it. ` +
  "It comes from the devDependency @sparticuz/chromium: run `npm ci`, or set CHROMIUM_PATH to a Chromium binary.";

/** Generous: Chromium shares the machine with the rest of the suite. */
const browserTimeout = 60_000;

let outputDir: string;
let built: BuiltDocs;
let browser: Browser | undefined;

beforeAll(async () => {
  outputDir = await mkdtemp(path.join(tmpdir(), "thingspace-docs-test-"));
  built = await buildDocs(path.join(outputDir, "index.html"));
  // Without Chromium every browser test fails with `missingChromium`: never a silent skip.
  if (existsSync(chromiumPath)) browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, browserTimeout);

afterAll(async () => {
  await browser?.close();
  if (process.env.KEEP_DOCS_TEST_OUTPUT) console.info(`API docs test output kept in ${outputDir}`);
  else await rm(outputDir, { recursive: true, force: true });
});

const normalize = (text: string) => text.replace(/\s+/g, " ").trim();
const operations = documentedOperations.filter((op) => op.kind === "operation");
const webhooks = documentedOperations.filter((op) => op.kind === "webhook");

/** Checks that every leaf value of `example` is shown in `panel`. */
async function expectExampleShown(page: RedocPage, panel: Locator, example: DocumentedExample) {
  const shown = await page.shownText(panel);
  const missing = leafTexts(example.value).filter((leaf) => !shown.includes(leaf));
  expect(missing, `values of the example "${example.summary}" not shown`).toEqual([]);
}

describe("npm run docs", () => {
  it(`finds Chromium at ${chromiumPath}`, () => {
    expect(existsSync(chromiumPath), missingChromium).toBe(true);
  });

  it("writes one page, where it was asked to, with Redoc inlined and nothing linked", async () => {
    const html = await readFile(built.output, "utf8");
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, "$1$2");
    expect(built.output).toBe(path.join(outputDir, "index.html"));
    expect(built.bytes).toBe((await stat(built.output)).size);
    // Redoc's colour-mode snippet, then Redoc itself: both inline.
    expect(markup.match(/<script\b[^>]*>/gi)).toEqual(["<script>", '<script type="module">']);
    expect(markup).not.toMatch(/<link\b|<script\b[^>]*\ssrc=|@import|url\(\s*["']?(https?:)?\/\//i);
    expect(markup).toContain(`<meta http-equiv="Content-Security-Policy"`);
    // Redoc's bundle (2 MB) is in the page, and nothing is imported from anywhere.
    expect(html).toContain("hydrate(__redoc_definition, __redoc_options");
    expect(html).not.toMatch(/\bimport\s*\{[^}]*\}\s*from\s*["']/);
    expect(built.bytes).toBeGreaterThan(2_000_000);
  });

  it("documents twelve operations and three webhooks (the spec these tests read)", () => {
    expect(operations).toHaveLength(12);
    expect(webhooks.map((op) => op.target)).toEqual(["CarrierService", "NiddService", "StateService"]);
  });
});

describe("the API docs page, offline in Chromium", () => {
  // One page for the whole tour, as a reader would keep it open; each test starts with a
  // navigation of its own, and afterEach charges what was loaded to the test that loaded it.
  let docs: RedocPage | undefined;

  beforeAll(async () => {
    if (browser) docs = await RedocPage.open(browser, built.output);
  }, browserTimeout);

  afterAll(async () => {
    await docs?.close();
  });

  /** The open page; fails the test with how to install Chromium when it is missing. */
  function openDocs(): RedocPage {
    if (!docs) throw new Error(missingChromium);
    return docs;
  }

  afterEach(() => {
    if (!docs) return;
    const loaded = {
      outsideRequests: docs.outsideRequests.splice(0),
      refusedLoads: docs.refusedLoads.splice(0),
      errors: docs.errors.splice(0),
    };
    // Whatever the test clicked: nothing left the page, nothing was refused, nothing broke.
    expect(loaded).toEqual({ outsideRequests: [], refusedLoads: [], errors: [] });
  });

  it("renders the overview: title, version, the description's sections, the Redocly badge inline", async () => {
    const page = openDocs();
    await page.go("#/");
    const { info } = specDocument as unknown as { info: { title: string; version: string; description: string } };
    const sections = [...info.description.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual([
      "Getting started",
      "Authentication",
      "Strict where we send, tolerant where we receive",
      "Where the source pages are silent",
      "Where the source pages contradict themselves",
    ]);
    await expect(page.shownText(page.page.locator("main h1"))).resolves.toBe(`${info.title} (${info.version})`);
    await expect(page.page.locator('main h2[id^="section/"]').allTextContents()).resolves.toEqual(sections);
    await expect(page.badge.getAttribute("src")).resolves.toMatch(/^data:image\/svg\+xml,/);
    await page.screenshot(path.join(outputDir, "overview.png"));
  }, browserTimeout);

  it("opens the overview with what the API does and how to begin, and links nowhere but Redocly", async () => {
    const page = openDocs();
    await page.go("#/");
    const shown = (await page.shownText(page.overview))
      .split("\n")
      .map(normalize)
      .filter((line) => line !== "");
    // The title, the summary, what the API does, then the first section: how to begin.
    expect(shown.slice(0, 6)).toEqual([
      "ThingSpace Connectivity Management (M2M) API (1.0.0)",
      "Copy",
      "Add, activate and change the state of IoT devices on Verizon ThingSpace.",
      "Verizon ThingSpace's Connectivity Management (M2M) API manages the cellular service of IoT devices: add " +
        "devices to an account (addDevices), activate their service (activateDevices) and move them to a " +
        "customer-defined service and state (goToState). Each request is answered at once with a requestId; the " +
        "results follow as callbacks, one per device, sent to a listener you register. Two lookups tell what " +
        "became of a request whose callbacks never came: listDevices and getRequestStatus.",
      "Getting started",
      "Get an OAuth access token with your application's client id and secret (getAccessToken, on " +
        "https://thingspace.verizon.com/api/ts/v1).",
    ]);
    expect(shown.indexOf("Where the source pages contradict themselves")).toBeGreaterThan(shown.indexOf("Authentication"));
    // No contact or repository link: the only link out of the page is the Redocly badge's.
    const links = await page.page
      .locator("a[href]")
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")!).filter((href) => /^[a-z]+:/i.test(href)));
    expect(links).toEqual(["https://redocly.com/redoc/"]);
  }, browserTimeout);

  it.each([
    ["Activate service for devices", "Any of", ["Devices listed", "A device group"]],
    [
      "Move devices to a customer-defined service and state",
      "Any of",
      ["Devices listed", "Devices selected by a filter", "5G Business Internet devices"],
    ],
    ["Add devices to an account", "One of", ["Without an eUICC device", "With an eUICC device (EID)"]],
  ])("titles the request-body variants of %s", async (summary, label, titles) => {
    const page = openDocs();
    const section = await page.openOperation("Devices", summary);
    const switcher = RedocPage.switcher(RedocPage.requestBody(section));
    expect(normalize(await page.shownText(switcher))).toMatch(new RegExp(`^${label}:`));
    await expect(page.switcherChoices(switcher)).resolves.toEqual(titles);
  }, browserTimeout);

  it("shows an identifier's kind, value and format in agreement, the format in words", async () => {
    const page = openDocs();
    const section = await page.openOperation("Devices", "Add devices to an account");
    const kind = RedocPage.field(section, "deviceids[]/kind");
    const id = RedocPage.field(section, "deviceids[]/id");
    const selector = RedocPage.switcher(kind);
    // The selector starts at the IMEI, the examples' first identifier, and what it shows agrees.
    await expect(page.switcherChoices(selector)).resolves.toEqual([
      "imei",
      "iccid",
      "esn",
      "meid",
      "eid",
      "mdn",
      "msisdn",
      "imsi",
      "min",
    ]);
    await expect(page.switcherChoice(selector)).resolves.toBe("imei");
    expect(normalize(await page.shownText(kind))).toMatch(/ Value: "imei"$/);
    expect(normalize(await page.shownText(id))).toMatch(/ \^\[0-9\]\{15,16\}\$ required .* allowed: 15 or 16 digits \(an IMEI\)$/);
    await page.chooseInSwitcher(selector, "iccid");
    expect(normalize(await page.shownText(kind))).toMatch(/ Value: "iccid"$/);
    expect(normalize(await page.shownText(id))).toMatch(/ allowed: 18 to 20 digits \(an ICCID\)$/);
  }, browserTimeout);

  it("lists every operation and webhook in the sidebar, under its tag, with its method", async () => {
    const page = openDocs();
    const listed = new Map<string, string[]>();
    for (const tag of documentedTags) listed.set(tag, await page.openTag(tag));
    const expected = new Map(
      documentedTags.map((tag) => [
        tag,
        documentedOperations.filter((op) => op.tag === tag).map((op) => `${op.summary} ${op.method}`),
      ]),
    );
    expect(listed).toEqual(expected);
    expect([...listed.values()].flat()).toHaveLength(15);
  }, browserTimeout);

  it.each(documentedOperations.map((op) => [`${op.kind} ${op.operationId}`, op] as const))(
    "renders the %s: heading, method and target, callbacks, every example",
    async (_name, op) => {
      const page = openDocs();
      const section = await page.openOperation(op.tag, op.summary);
      expect(normalize(await page.shownText(RedocPage.heading(section)))).toBe(
        op.kind === "webhook" ? `${op.summary} Webhook` : op.summary,
      );
      const request = RedocPage.requestPanel(section);
      expect(normalize(await page.shownText(request))).toMatch(new RegExp(`^${op.method} ${escapeRegExp(op.target)} Payload`));
      await expect(RedocPage.callbackTitles(section)).resolves.toEqual(op.callbacks);

      if (op.requestExamples.length > 1) {
        await expect(page.exampleChoices(request)).resolves.toEqual(op.requestExamples.map((ex) => ex.summary));
      } else {
        // None or a single example: shown without a selector.
        await expect(RedocPage.exampleSelector(request).count()).resolves.toBe(0);
      }
      for (const example of op.requestExamples) {
        if (op.requestExamples.length > 1) {
          await page.chooseExample(request, example.summary);
          await expect(page.shownText(RedocPage.exampleSelector(request))).resolves.toBe(example.summary);
        }
        await expectExampleShown(page, request, example);
      }
      const responses = RedocPage.responsePanel(section);
      for (const { code, examples } of op.responseExamples) {
        await RedocPage.chooseResponse(responses, code);
        for (const example of examples) {
          // Several examples of one answer (a request's status: Success, Pending) sit behind a selector.
          if (examples.length > 1) await page.chooseExample(responses, example.summary);
          await expectExampleShown(page, responses, example);
        }
      }
    },
    browserTimeout,
  );

  it("finds every operation and webhook by its summary with the search box, offline", async () => {
    const page = openDocs();
    for (const op of documentedOperations) {
      const [first] = await page.search(op.summary);
      expect(first, `first search result for "${op.summary}"`).toMatch(
        new RegExp(`^${op.method} ${escapeRegExp(op.target)} ${escapeRegExp(op.summary)}( |$)`),
      );
    }
  }, browserTimeout);

  it("shows activateDevices' examples whole, behind an example selector", async () => {
    const page = openDocs();
    const section = await page.openOperation("Devices", "Activate service for devices");
    const request = RedocPage.requestPanel(section);
    await page.chooseExample(request, "Activate two 4G devices and set their IP addresses");
    await expect(page.shownText(RedocPage.exampleSelector(request))).resolves.toBe(
      "Activate two 4G devices and set their IP addresses",
    );
    const shown = await page.shownText(request);
    expect(shown).toContain('"accountName": "0868924207-00001"');
    // Four levels down (primaryPlaceOfUse.customerName.firstName): shown without a click.
    expect(shown).toContain('"firstName": "Zaffod"');
    await page.screenshot(path.join(outputDir, "activate-devices.png"));
  }, browserTimeout);
});
