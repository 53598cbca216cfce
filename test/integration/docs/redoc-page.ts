/**
 * The built API docs opened in Chromium, read the way a reader goes through them: sidebar,
 * operation sections, example selector, response tabs. Every Redoc-specific selector lives
 * here, so a Redoc upgrade that renames its markup changes this file only.
 */
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { escapeRegExp } from "./escape-reg-exp.js";

/** Requests the page may make: the file itself, or a server on loopback. */
function isLocal(url: string): boolean {
  return url.startsWith("file://") || /^https?:\/\/127\.0\.0\.1(:\d+)?\//.test(url);
}

/** A docs page whose every request outside itself is refused and recorded. */
export class RedocPage {
  /** Requests that tried to leave the page (refused). */
  readonly outsideRequests: string[] = [];
  /** Loads the page's Content-Security-Policy refused, as `directive blocked-uri`. */
  readonly refusedLoads: string[] = [];
  /** Uncaught errors and console errors. */
  readonly errors: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** Opens `file` (an absolute path) in a fresh browser context, once Redoc has hydrated. */
  static async open(browser: Browser, file: string): Promise<RedocPage> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const docs = new RedocPage(context, await context.newPage());
    const { page } = docs;
    await page.route("**/*", (request) => {
      const url = request.request().url();
      if (isLocal(url)) return request.continue();
      docs.outsideRequests.push(url);
      return request.abort("blockedbyclient");
    });
    await page.exposeFunction("__reportCspViolation", (violation: string) => docs.refusedLoads.push(violation));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        // Redoc's search probes `Function()` to run its index in a worker, and falls back to
        // the main thread when refused: a refused eval, not a load.
        if (event.blockedURI === "eval") return;
        (window as unknown as { __reportCspViolation(v: string): void }).__reportCspViolation(
          `${event.effectiveDirective} ${event.blockedURI}`,
        );
      });
    });
    page.on("pageerror", (error) => docs.errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") docs.errors.push(message.text());
    });
    // A missing element fails well within the test's time limit, even on a busy machine.
    context.setDefaultTimeout(15_000);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    // Hydrated, effects run: the sidebar's "API docs by" badge is only rendered client-side.
    await docs.badge.waitFor();
    return docs;
  }

  /**
   * The text of `locator` as a reader sees it. Redoc lays out off-screen sections lazily
   * (`content-visibility: auto`), and the text of a section not laid out reads as empty: the
   * element is scrolled into view and given two frames first.
   */
  async shownText(locator: Locator): Promise<string> {
    await locator.scrollIntoViewIfNeeded();
    await this.page.evaluate(
      () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
    );
    return locator.innerText();
  }

  /** Goes to an in-page route such as "#/" or "#/devices", as a followed link would. */
  async go(hash: string): Promise<void> {
    await this.page.evaluate((target) => (window.location.hash = target), hash);
  }

  /** The "API docs by Redocly" badge's image, in the sidebar's footer. */
  get badge(): Locator {
    return this.page.locator('img[alt="redocly logo"]');
  }

  /** The overview: the title, the API's summary and description, up to the first operation. */
  get overview(): Locator {
    return this.page.locator("main h1").locator('xpath=ancestor::div[.//h2[starts-with(@id, "section/")]][1]');
  }

  /** The sidebar's root menu. */
  get sidebar(): Locator {
    return this.page.locator('[data-component-name="Menu/Menu"]').first();
  }

  /** A tag's entry in the sidebar (not a description section of the same name). */
  private tagItem(tag: string): Locator {
    return this.sidebar.locator("> [role=listitem]").filter({
      has: this.page.locator(':scope > a:not([href*="/section/"])', { hasText: new RegExp(`^${escapeRegExp(tag)}$`) }),
    });
  }

  /**
   * Opens a tag as its sidebar link does and returns its entries as shown: "summary METHOD".
   * Redoc opens the sidebar group of the current route (and a click on an open group closes
   * it), so the tag's route is followed rather than its entry clicked: the outcome does not
   * depend on which group the previous test left open.
   */
  async openTag(tag: string): Promise<string[]> {
    const item = this.tagItem(tag);
    // Server-rendered entries keep their "/devices" href; the client routes it as "#/devices".
    const href = await item.locator(":scope > a").getAttribute("href");
    await this.go(href?.startsWith("#") ? href : `#${href}`);
    const entries = item.locator("[role=listitem] > a");
    await entries.first().waitFor();
    return (await entries.allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
  }

  /** Opens an operation's tag, follows the operation's sidebar entry and returns its section. */
  async openOperation(tag: string, summary: string): Promise<Locator> {
    await this.openTag(tag);
    const entry = this.tagItem(tag).locator("[role=listitem] > a", {
      hasText: new RegExp(`^${escapeRegExp(summary)}\\s*[A-Z]+$`, "i"),
    });
    const href = await entry.getAttribute("href");
    if (!href?.startsWith("#/")) throw new Error(`the sidebar entry "${summary}" links to ${href}, not into the page`);
    await this.go(href);
    // Redoc renders the operation into the element whose id is its route.
    const section = this.page.locator(`main [id="${href.slice(2)}"]`);
    await section.locator("h2", { hasText: new RegExp(`^${escapeRegExp(summary)}`) }).waitFor();
    return section;
  }

  /** The section's heading text (a webhook's carries a "Webhook" badge). */
  static heading(section: Locator): Locator {
    return section.locator("h2").first();
  }

  /** The request sample panel (right column) of an operation section. */
  static requestPanel(section: Locator): Locator {
    return section.locator('[data-component-name="Panel/Panel"]', {
      has: section.page().getByText("Payload", { exact: true }),
    });
  }

  /** The response sample panel (right column) of an operation section. */
  static responsePanel(section: Locator): Locator {
    return section.locator('[data-component-name="Panel/Panel"]', {
      has: section.page().getByText("Response", { exact: true }),
    });
  }

  /** The example selector of a sample panel: its current choice, and the button to open it. */
  static exampleSelector(panel: Locator): Locator {
    return panel.getByRole("button", { name: "Example", exact: true });
  }

  /** Opens a panel's example selector (unless it is open) and returns its visible choices. */
  private async openExampleMenu(panel: Locator): Promise<Locator> {
    const selector = RedocPage.exampleSelector(panel);
    if ((await selector.getAttribute("aria-expanded")) !== "true") await selector.click();
    const choices = this.page.locator("[role=menu]:visible [role=menuitem]");
    await choices.first().waitFor();
    return choices;
  }

  /** The choices a panel's example selector offers, in order; leaves the selector closed. */
  async exampleChoices(panel: Locator): Promise<string[]> {
    const choices = await (await this.openExampleMenu(panel)).allInnerTexts();
    await RedocPage.exampleSelector(panel).click();
    return choices.map((choice) => choice.trim());
  }

  /** Picks the example whose summary is `summary` in a panel's example selector. */
  async chooseExample(panel: Locator, summary: string): Promise<void> {
    const choices = await this.openExampleMenu(panel);
    await choices.filter({ hasText: new RegExp(`^${escapeRegExp(summary)}$`) }).click();
  }

  /** The request body's schema in an operation section. */
  static requestBody(section: Locator): Locator {
    return section.locator('[id$="/request/body"]');
  }

  /**
   * A field of a schema shown in `scope`, by Redoc's path to it in lower case, such as
   * `deviceids[]/id`. (Below a discriminator the anchor also names the chosen kind,
   * `deviceids[]&d=0/id`: the path's parent and name are matched on their own.)
   */
  static field(scope: Locator, path: string): Locator {
    const parent = path.slice(0, path.lastIndexOf("/"));
    const name = path.slice(path.lastIndexOf("/"));
    return scope.locator(`[id*="/${parent}"][id$="${name}"]`).first();
  }

  /** The first variant switcher in `scope`: "One of", "Any of" or a discriminator's kind selector. */
  static switcher(scope: Locator): Locator {
    return scope.locator('[data-section-id="switcher"]').first();
  }

  /** The choices a switcher offers, in order, whether drawn as tabs or as a drop-down; leaves it closed. */
  async switcherChoices(switcher: Locator): Promise<string[]> {
    const tabs = switcher.getByRole("tab");
    if ((await tabs.count()) > 0) return (await tabs.allInnerTexts()).map((text) => text.trim());
    const button = switcher.getByRole("button");
    await button.click();
    // A long list also offers a search box, as an item of its own.
    const choices = this.page.locator("[role=menu]:visible [role=menuitem]").filter({ hasNot: this.page.locator("input") });
    await choices.first().waitFor();
    const texts = await choices.allInnerTexts();
    await button.click();
    return texts.map((text) => text.trim());
  }

  /** The switcher's current choice. */
  async switcherChoice(switcher: Locator): Promise<string> {
    const tabs = switcher.getByRole("tab");
    if ((await tabs.count()) > 0) return (await switcher.locator('[role=tab][aria-selected="true"]').innerText()).trim();
    return (await switcher.getByRole("button").innerText()).trim();
  }

  /** Picks `choice` in a switcher. */
  async chooseInSwitcher(switcher: Locator, choice: string): Promise<void> {
    const tabs = switcher.getByRole("tab");
    if ((await tabs.count()) > 0) return tabs.filter({ hasText: new RegExp(`^${escapeRegExp(choice)}$`) }).click();
    await switcher.getByRole("button").click();
    await this.page
      .locator("[role=menu]:visible [role=menuitem]")
      .filter({ hasText: new RegExp(`^${escapeRegExp(choice)}$`) })
      .click();
  }

  /** Shows a response code's sample in the response panel. */
  static async chooseResponse(panel: Locator, code: string): Promise<void> {
    await panel.getByRole("button", { name: code, exact: true }).click();
  }

  /** Titles of the callbacks listed under an operation, in order. */
  static async callbackTitles(section: Locator): Promise<string[]> {
    const id = await section.getAttribute("id");
    return section
      .locator(`[id^="${id}/callbacks/"] [data-component-name="Panel/PanelHeaderTitle"]`)
      .allTextContents();
  }

  /** Searches the docs (Ctrl+K, as a reader would) and returns the results shown, in order. */
  async search(query: string): Promise<string[]> {
    await this.page.keyboard.press("Control+k");
    await this.page.getByPlaceholder("Search docs...").fill(query);
    const results = this.page.locator('[data-component-name="Search/SearchItem"]');
    await results.first().waitFor();
    const shown = (await results.allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
    await this.page.keyboard.press("Escape");
    return shown;
  }

  /** Screenshot of the viewport. */
  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  /** Closes the page and its browser context. */
  async close(): Promise<void> {
    await this.context.close();
  }
}
