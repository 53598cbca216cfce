/**
 * Sends callbacks the way ThingSpace does: POST one device's body, and while the answer is not
 * 2xx send it again with the next `callbackCount`, up to `maxCallbackThreshold` (4) sends.
 * Requests go through node:http with a keep-alive agent (fetch costs several times more CPU per
 * request, which on a 2-core machine would measure the client rather than the receiver).
 * Tallies every answer so that a test can check the exact counts.
 */
import { Agent, request } from "node:http";
import { carrierCallbackBody } from "./carrier-callback.js";

/** Every answer and send, counted. */
export interface SenderTally {
  /** POSTs sent. */
  posted: number;
  /** Sends with a callbackCount above the first of their series (after a non-2xx answer). */
  redeliveries: number;
  /** Answers by `"<status> <body.status or body.error>"`, e.g. `"200 handled"`, `"500 handler_failed"`. */
  answers: Map<string, number>;
  /** Series that ended without a 2xx after the last allowed send. */
  lost: number;
}

/** A callback sender; close it to free its sockets. */
export interface CallbackSender {
  tally: SenderTally;
  /** Delivers device `n`'s callback from `firstCount` on until 2xx; resolves to the last status. */
  deliver(n: number, requestId: string, firstCount?: number): Promise<number>;
  close(): void;
}

const maxCallbackThreshold = 4;

/**
 * A sender posting to `url` over at most `sockets` keep-alive connections; `afterAnswer` runs
 * after each answer (e.g. to sample the receiver).
 */
export function createCallbackSender(
  url: string,
  sockets: number,
  afterAnswer: () => void = () => undefined,
): CallbackSender {
  const tally: SenderTally = { posted: 0, redeliveries: 0, answers: new Map(), lost: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(url);

  function post(body: string): Promise<{ status: number; answer: { status?: string; error?: string } }> {
    tally.posted += 1;
    return new Promise((resolve, reject) => {
      const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
      const outgoing = request(target, { method: "POST", agent, headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () =>
          resolve({ status: incoming.statusCode ?? 0, answer: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
        );
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  async function deliver(n: number, requestId: string, firstCount = 1): Promise<number> {
    let status = 0;
    for (let count = firstCount; count <= maxCallbackThreshold; count++) {
      if (count > firstCount) tally.redeliveries += 1;
      const reply = await post(carrierCallbackBody(n, requestId, count));
      status = reply.status;
      const key = `${status} ${reply.answer.status ?? reply.answer.error}`;
      tally.answers.set(key, (tally.answers.get(key) ?? 0) + 1);
      afterAnswer();
      if (status >= 200 && status < 300) return status;
    }
    tally.lost += 1;
    return status;
  }

  return { tally, deliver, close: () => agent.destroy() };
}
