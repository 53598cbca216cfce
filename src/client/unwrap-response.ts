import type { SafeLogger } from "./logger.js";
import type { SecretRedactor } from "./secret-redactor.js";
import { errorFromResponse } from "./errors/error-from-response.js";

/**
 * openapi-fetch's `{ data, error, response }` → the data, or the typed error for the answer.
 * The method and schema path name the call in the error.
 */
export async function unwrapResponse<Data>(
  call: { method: string; schemaPath: string; redactor: SecretRedactor; logger: SafeLogger },
  pending: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  const { data, error, response } = await pending;
  if (response.ok) return data as Data;
  const failure = errorFromResponse({ method: call.method, schemaPath: call.schemaPath, response, body: error }, call.redactor);
  call.logger.warn(failure.message, { error: failure.name, status: response.status });
  throw failure;
}
