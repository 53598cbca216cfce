/**
 * What the API docs must show, read from the bundled spec (generated/openapi.json): every
 * operation and webhook with its tag, summary, method, path, callbacks and named examples.
 */
import { specDocument } from "../../support/spec-document.js";

/** A named example as the docs list it: its summary in the example selector, then its value. */
export interface DocumentedExample {
  summary: string;
  value: unknown;
}

/** One operation (under `paths`) or webhook (under `webhooks`) of the spec. */
export interface DocumentedOperation {
  kind: "operation" | "webhook";
  operationId: string;
  summary: string;
  /** Upper-case HTTP method, as Redoc labels it. */
  method: string;
  /** The path for an operation, the webhook's name for a webhook. */
  target: string;
  tag: string;
  /** Summaries of the operations its `callbacks` point at, in the spec's order. */
  callbacks: string[];
  requestExamples: DocumentedExample[];
  /** Named response examples by status code, in the spec's order. */
  responseExamples: { code: string; examples: DocumentedExample[] }[];
}

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  callbacks?: Record<string, Record<string, Record<string, Operation>>>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { $ref?: string; content?: Record<string, Media> }>;
}
interface Media {
  examples?: Record<string, { $ref?: string }>;
}
interface Spec {
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, Record<string, Operation>>;
}

const spec = specDocument as unknown as Spec;
const methods = ["get", "put", "post", "delete", "patch"];

/** Follows a local `$ref` ("#/components/...") to what it points at. */
function resolve<T>(node: T | { $ref?: string }): T {
  const ref = (node as { $ref?: string }).$ref;
  if (!ref) return node as T;
  const target = ref
    .slice(2)
    .split("/")
    .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  if (target === undefined) throw new Error(`generated/openapi.json: ${ref} points nowhere`);
  return resolve(target as T);
}

function examplesOf(media: Media | undefined): DocumentedExample[] {
  return Object.values(media?.examples ?? {}).map((ref) => {
    const { summary, value } = resolve<DocumentedExample>(ref);
    return { summary, value };
  });
}

function describeOperation(kind: DocumentedOperation["kind"], target: string, method: string, op: Operation): DocumentedOperation {
  const callbacks = Object.values(op.callbacks ?? {}).flatMap((expressions) =>
    Object.values(expressions).flatMap((pathItem) => operationsOf(resolve(pathItem)).map(([, callback]) => callback.summary)),
  );
  const responseExamples = Object.entries(op.responses)
    .map(([code, response]) => ({ code, examples: examplesOf(resolve(response).content?.["application/json"]) }))
    .filter((row) => row.examples.length > 0);
  return {
    kind,
    operationId: op.operationId,
    summary: op.summary,
    method: method.toUpperCase(),
    target,
    tag: op.tags[0]!,
    callbacks,
    requestExamples: examplesOf(op.requestBody?.content["application/json"]),
    responseExamples,
  };
}

/** A path item's operations, in the order the spec writes them (the order Redoc lists them). */
function operationsOf(pathItem: Record<string, Operation>): [string, Operation][] {
  return Object.entries(pathItem).filter(([key]) => methods.includes(key));
}

function operationsIn(kind: DocumentedOperation["kind"], items: Spec["paths"]): DocumentedOperation[] {
  return Object.entries(items).flatMap(([target, pathItem]) =>
    operationsOf(pathItem).map(([method, op]) => describeOperation(kind, target, method, op)),
  );
}

/** Every operation, then every webhook, in the spec's order. */
export const documentedOperations: DocumentedOperation[] = [
  ...operationsIn("operation", spec.paths),
  ...operationsIn("webhook", spec.webhooks),
];

/** The spec's tags, in the order the docs list them. */
export const documentedTags: string[] = spec.tags.map((tag) => tag.name);

/**
 * The text a JSON viewer shows for every leaf of `value` (strings quoted as JSON), so a test
 * can tell that an example was rendered value by value.
 */
export function leafTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leafTexts);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(leafTexts);
  return [JSON.stringify(value)];
}
