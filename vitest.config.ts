import { defineConfig } from "vitest/config";

// Type assertions (expectTypeOf, @ts-expect-error) are checked by `tsc --noEmit`, which
// `npm test` runs before vitest over the same files.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
