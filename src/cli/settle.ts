/**
 * Settling what an earlier run left unknown: a chunk the journal shows as sent without an answer
 * (the run was killed while it was in flight) may have taken effect or not. Its devices are looked
 * up, and the SDK's `effectOfFinding` (the table `checkOutcome` reads) says whether the request
 * took; a chunk that took is recorded as such and never sent again, the others are sent again.
 */
import { effectOfFinding, type LookUpOptions, type ThingSpaceClient } from "../index.js";
import type { InputDevice } from "./input.js";
import type { Journal } from "./journal.js";
import type { Progress } from "./progress.js";
import type { RunSettings } from "./program.js";

/** Each chunk's devices, for the indexes asked, from the run's devices in input order. */
async function* chunksAt(
  devices: AsyncIterable<InputDevice>,
  chunkSize: number,
  indexes: ReadonlySet<number>,
): AsyncGenerator<[number, InputDevice[]]> {
  let position = 0;
  let current: InputDevice[] = [];
  for await (const device of devices) {
    const index = Math.floor(position / chunkSize);
    if (indexes.has(index)) current.push(device);
    position += 1;
    if (position % chunkSize === 0 && current.length > 0) {
      yield [index, current];
      current = [];
    }
  }
  if (current.length > 0) yield [Math.floor((position - 1) / chunkSize), current];
}

/**
 * What the run's request aims for, as `lookUpDevices` takes it: an add, that the device exists; a
 * goToState, the state its body names (from `--state-name` or the template); an activate, service.
 */
export function aimOf(operation: RunSettings["operation"], body: Readonly<Record<string, unknown>>): LookUpOptions {
  if (operation === "addDevices") return { exists: true };
  return operation === "goToState" && typeof body.stateName === "string" ? { expectedState: body.stateName } : {};
}

/**
 * A resumed run's chunks that were sent without an answer recorded: their devices are looked up,
 * and a chunk any of whose devices shows the request's effect was accepted (never sent again);
 * the others are sent again. `devices` are the run's valid devices in input order; they are read
 * only when there is a chunk to settle.
 */
export async function settleUnknownChunks(
  settings: Pick<RunSettings, "chunkSize">,
  aim: LookUpOptions,
  ctx: { client: ThingSpaceClient; journal: Journal; progress: Progress },
  devices: AsyncIterable<InputDevice>,
): Promise<void> {
  const unknown = new Set([...ctx.journal.chunks].filter(([, chunk]) => chunk.status === "sending").map(([i]) => i));
  if (unknown.size === 0) return;
  for await (const [index, chunk] of chunksAt(devices, settings.chunkSize, unknown)) {
    const found = await ctx.client.lookUpDevices(chunk, aim);
    const took = found.filter((result) => effectOfFinding[result.found] !== "no-effect").length;
    const what = `chunk ${index}: sent by the earlier run, its answer never recorded; ${took} of ${chunk.length} devices show it took effect`;
    if (took > 0) {
      ctx.journal.tookEffect(index);
      ctx.progress.line(`${what}: not sent again`);
    } else ctx.progress.line(`${what}: sending it again`);
  }
}
