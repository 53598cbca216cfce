/**
 * Collects every text a test can observe (log lines, errors in each rendering, hook arguments,
 * response bodies, printed output) and reports which of them contains which secret, by the
 * secret's name only: a failure must not print the secret either.
 */
import { inspect } from "node:util";

/** A captured text that contains a secret. */
export interface Leak {
  readonly where: string;
  readonly secret: string;
}

/** Every way an error (or any value) is shown or stored. */
export function renderings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  const texts = [String(value), inspect(value, { depth: 10 }), inspect(value, { depth: 10, showHidden: true })];
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    texts.push("[not serializable]");
  }
  if (value instanceof Error) texts.push(value.message, value.stack ?? "");
  return texts;
}

/** A scanner for `secrets` (name → value). */
export function createLeakScanner(secrets: Readonly<Record<string, string>>) {
  const captured: { where: string; text: string }[] = [];
  return {
    /** Records `value` in every rendering, labelled `where`. */
    capture(where: string, value: unknown): void {
      for (const text of renderings(value)) captured.push({ where, text });
    },
    /** How many texts were captured under labels starting with `prefix`. */
    count(prefix = ""): number {
      return captured.filter((c) => c.where.startsWith(prefix)).length;
    },
    /** The captured texts under `where`, for exact expectations. */
    texts(where: string): string[] {
      return captured.filter((c) => c.where === where).map((c) => c.text);
    },
    /** Every (label, secret name) pair where a captured text contains the secret. */
    leaks(): Leak[] {
      const found = new Map<string, Leak>();
      for (const { where, text } of captured) {
        for (const [name, secret] of Object.entries(secrets)) {
          if (text.includes(secret)) found.set(`${where}\u0000${name}`, { where, secret: name });
        }
      }
      return [...found.values()];
    },
  };
}
