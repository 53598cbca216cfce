/**
 * Device states as ThingSpace writes them: `PRE-ACTIVE` when a request names it, `pre-active` or
 * `pending activation` in a list. The client judging a lookup and the simulator filtering a list
 * compare states the same way, here.
 */

/** A state as states are compared: without case, spaces, hyphens or underscores (`PRE-ACTIVE` is `pre-active`). */
export function comparableState(state: string): string {
  return state.toLowerCase().replace(/[\s_-]+/g, "");
}
