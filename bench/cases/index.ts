/** Every benchmark, in the order of issue #6's table. */
import type { BenchCase } from "../case.js";
import { runtimeCompilation } from "./runtime-compilation.js";
import { validateActivateBody } from "./validate-activate-body.js";

export const allCases: BenchCase[] = [runtimeCompilation, validateActivateBody];
