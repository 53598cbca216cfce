/** What an entry point loads, for tests that pin what an entry must not pull in. */
import { build } from "esbuild";

/** The files (relative to the repository, `node_modules/…` included) that bundling `entry` reads. */
export async function bundleInputs(entry: string): Promise<string[]> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  return Object.keys(bundle.metafile.inputs);
}
