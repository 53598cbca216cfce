/**
 * Builds the API reference, docs/index.html, from spec/openapi.yaml with `redocly build-docs`:
 * one self-contained page that renders offline. Redoc is inlined (`--inlineBundle`), the page
 * template (scripts/docs-template.hbs) loads no web font and forbids, by Content-Security-Policy,
 * anything that is not inside the file, and the page's telemetry is switched off.
 *
 * `npm run docs` writes docs/index.html; `npm run docs -- <path>` (or `--output <path>`) writes
 * elsewhere. test/integration/docs/ calls {@link buildDocs} and opens the page in Chromium.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run docs` writes the page when no output path is given. */
export const defaultDocsOutput = path.join(root, "docs", "index.html");

/** What {@link buildDocs} wrote. */
export interface BuiltDocs {
  /** Absolute path of the page. */
  output: string;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * The only images Redoc 3 fetches on its own: the "API docs by Redocly" badge in the sidebar's
 * footer, from Redocly's CDN. No option turns the badge off, so its two URLs are swapped for
 * inline SVG wordmarks: the attribution stays, the request goes.
 */
const redoclyBadges: ReadonlyMap<string, string> = new Map([
  ["https://cdn.redoc.ly/redoc/logo-mini-full.svg", svgDataUri(72, "Redocly")],
  ["https://cdn.redoc.ly/redoc/logo-mini.svg", svgDataUri(14, "R")],
]);

function svgDataUri(width: number, text: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="16" viewBox="0 0 ${width} 16">` +
    `<text x="0" y="12" font-family="sans-serif" font-size="12" font-weight="700" fill="#0044d4">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The page without the contents of its inline scripts: the markup and styles it loads. */
function markupOf(html: string): string {
  // Redoc's bundle mentions `<link`, `modulepreload` and the like in its code; only tags count.
  return html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, "$1$2");
}

/**
 * What must (or must not) be in the finished page; each is a mistake the browser test would
 * also catch, reported here at build time with what to check.
 */
const offlineChecks: { fails: (html: string) => boolean; problem: string }[] = [
  {
    fails: (html) => !markupOf(html).includes('http-equiv="Content-Security-Policy"'),
    problem: "the page lacks the template's Content-Security-Policy: is scripts/docs-template.hbs used?",
  },
  {
    fails: (html) => /<script\b[^>]*\ssrc=/i.test(markupOf(html)) || /\bfrom\s*["']https?:\/\//.test(html),
    problem: "Redoc is loaded from a CDN instead of inlined: is --inlineBundle passed?",
  },
  {
    fails: (html) => /<link\b|@import|url\(\s*["']?(https?:)?\/\//i.test(markupOf(html)),
    problem: "the page links a stylesheet, a web font or an outside image: the template must load none",
  },
  {
    fails: (html) => [...redoclyBadges.keys()].some((url) => html.includes(url)),
    problem: "the Redocly badge still comes from cdn.redoc.ly",
  },
  {
    fails: (html) => !html.includes('"disableTelemetry":true'),
    problem: "Redoc's telemetry is on: REDOCLY_TELEMETRY=off must reach redocly build-docs",
  },
];

/** Swaps the badge URLs for inline images and checks that the page needs nothing outside itself. */
function makeOffline(html: string): string {
  let page = html;
  for (const [url, inline] of redoclyBadges) {
    // A missing badge URL means Redoc changed: the check below (and the browser test) decide.
    page = page.replaceAll(url, inline);
  }
  const problems = offlineChecks.filter((check) => check.fails(page)).map((check) => check.problem);
  if (problems.length > 0) {
    throw new Error(`The built docs would not render offline:\n- ${problems.join("\n- ")}`);
  }
  return page;
}

/** Runs `redocly build-docs` (the project's own CLI, with the running Node) into `output`. */
async function runRedocly(output: string): Promise<void> {
  const cli = await realpath(path.join(root, "node_modules", ".bin", "redocly"));
  const args = [
    cli,
    "build-docs",
    "spec/openapi.yaml",
    "--config=redocly.yaml",
    `--template=${path.join(root, "scripts", "docs-template.hbs")}`,
    "--inlineBundle",
    `--output=${output}`,
  ];
  // Set here, not only in package.json: the page's telemetry follows the CLI's setting.
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" };
  try {
    await promisify(execFile)(process.execPath, args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "", message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`redocly build-docs failed: ${message.split("\n")[0]}\n${stderr}${stdout}`.trimEnd());
  }
}

/**
 * Builds the API reference from spec/openapi.yaml into `output` (default docs/index.html): a
 * single HTML file with Redoc inlined that loads nothing from the network.
 *
 * The page is rendered into a temporary directory first, so a failed build never leaves a
 * half-finished page at `output`.
 */
export async function buildDocs(output: string = defaultDocsOutput): Promise<BuiltDocs> {
  const target = path.resolve(output);
  const scratch = await mkdtemp(path.join(tmpdir(), "thingspace-docs-"));
  try {
    const rendered = path.join(scratch, "index.html");
    await runRedocly(rendered);
    const html = makeOffline(await readFile(rendered, "utf8"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, html);
    return { output: target, bytes: Buffer.byteLength(html) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { output: { type: "string", short: "o" } },
    allowPositionals: true,
  });
  if (positionals.length > 1 || (values.output !== undefined && positionals.length > 0)) {
    throw new Error("usage: npm run docs [-- <output.html> | --output <output.html>]");
  }
  const built = await buildDocs(values.output ?? positionals[0] ?? defaultDocsOutput);
  const shown = path.relative(process.cwd(), built.output) || built.output;
  console.log(`Wrote ${shown} (${Math.ceil(built.bytes / 1024)} KiB): open it in a browser, no network needed.`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
