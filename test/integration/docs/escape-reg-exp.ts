/** `text` as a regular expression that matches it literally (summaries hold "(", paths "{"). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
