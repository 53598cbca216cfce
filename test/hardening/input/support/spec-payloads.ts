/** The spec's example payloads, grouped as the hardening tests use them. */
import type { CallbackService } from "../../../../src/callbacks/index.js";
import { requestBodyExamples, specExample } from "../../../support/spec-document.js";

/** Every callback example with the service that sends it and its schema. */
export const callbackExamples = requestBodyExamples()
  .filter((row) => row.schema.endsWith("ServiceCallback"))
  .map((row) => ({
    name: row.example,
    schema: row.schema,
    service: row.schema.replace(/Callback$/, "") as CallbackService,
    value: specExample(row.example),
  }));

/** Every request body example with its operation and schema. */
export const requestExamples = requestBodyExamples()
  .filter((row) => row.schema.endsWith("Request"))
  .map((row) => ({
    name: row.example,
    schema: row.schema,
    operationId: row.operationId,
    value: specExample(row.example),
  }));

/** The same fast-check settings everywhere: reproducible and bounded. */
export const runs = (numRuns: number) => ({ seed: 20_240_607, numRuns });
