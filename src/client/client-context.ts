import type { Client } from "openapi-fetch";
import type { paths } from "../../generated/openapi-types.js";
import type { TokenCache } from "./auth/token-cache.js";
import type { SafeLogger } from "./logger.js";
import type { SecretRedactor } from "./secret-redactor.js";

/** What the client's methods share: the wired openapi-fetch client and the client's settings. */
export interface ClientContext {
  raw: Client<paths>;
  validate: boolean;
  accountName: string | undefined;
  redactor: SecretRedactor;
  logger: SafeLogger;
  session: TokenCache;
}
