/**
 * Writes examples/devices.csv, the input of `npm start`: the simulator's first 1,000 example
 * devices (`exampleDevices`: an IMEI and an ICCID each, valid for the spec), as the command
 * reads them. `npx tsx scripts/write-example-devices.ts [count] [file]` writes others (the
 * benchmark writes 2,000,000 to a temporary file).
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { exampleDevice } from "../src/simulator/index.js";

/** Writes `count` example devices to `file` as CSV (`imei,iccid`). */
export async function writeExampleDevices(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  await write("imei,iccid\n");
  for (let n = 0; n < count; n++) {
    const [imei, iccid] = exampleDevice(n).deviceIds;
    await write(`${imei!.id},${iccid!.id}\n`);
  }
  out.end();
  await once(out, "finish");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const count = Number(process.argv[2] ?? 1000);
  const file = process.argv[3] ?? path.join(root, "examples/devices.csv");
  await writeExampleDevices(file, count);
  console.log(`wrote ${count} devices to ${path.relative(process.cwd(), file)}`);
}
