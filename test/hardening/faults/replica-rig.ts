/**
 * Several replicas of a callback listener sharing one dedupe store, a ThingSpace-like sender, and
 * a crash: the scenario of issue #14, as a function that the vitest test and
 * `scripts/replica-scenario.ts` (the full size, for CI) both run.
 *
 * Three replica processes (replica-receiver.ts) listen on loopback. The sender posts each
 * callback to replica `n % 3`; 30% of the callbacks are posted a second time to the next replica,
 * half at the same moment as the first copy and half once the first was answered. A series that
 * is not answered 2xx (503, 500, a refused or reset connection) is sent again, to the next replica
 * as a load balancer would, up to `maxSends` times. Mid-run, replica 1 dies by SIGKILL and is
 * started again on the same port: killed by the rig at a moment of its choosing (`kill:
 * "signal"`), or by itself right after writing a handler's effect, before the handler returns
 * (`kill: "after-effect"`). Each handler run writes a row to PostgreSQL; at the end the rows say
 * which callbacks were never handled and which were handled more than once, and by whom.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createPostgresDedupeStore } from "../../../src/callbacks/postgres.js";
import { createRunSchema, databaseUrl, dropRunData, redisUrl, runName, schemaPool } from "../../support/services.js";
import { carrierCallbackBody, imeiOf, listenerCredentials } from "../load/carrier-callback.js";

export type StoreName = "memory" | "redis" | "postgres" | "postgres-transactional";

export interface ReplicaScenario {
  readonly store: StoreName;
  /** Distinct callbacks (devices). */
  readonly callbacks: number;
  /** How replica 1 dies mid-run. */
  readonly kill: "signal" | "after-effect";
  /** Series in flight at once. Default 48. */
  readonly concurrency?: number;
  /** Claims' lease in the shared stores: how soon a dead holder's callbacks are taken over. Default 1.5 s. */
  readonly leaseMs?: number;
}

export interface ReplicaOutcome {
  /** Callbacks whose handler never ran to a recorded effect. */
  readonly lost: number;
  /** Callbacks whose effect was written more than once, with the incarnations that wrote it, in order. */
  readonly handledTwice: { readonly callback: string; readonly incarnations: readonly string[] }[];
  /** Callbacks posted a second time to another replica (device numbers). */
  readonly copied: readonly number[];
  /**
   * The copied callbacks whose two series were acknowledged by different replica incarnations
   * (a send that failed moves on to the next replica, so both may end at the same one).
   */
  readonly copiesAckedApart: readonly number[];
  /** How many effects each incarnation wrote. */
  readonly effectsBy: Readonly<Record<string, number>>;
  /** After how many effects replica 1 kills itself (`kill: "after-effect"`). */
  readonly victimEffects: number;
  /** Series that never got a 2xx after `maxSends` sends. */
  readonly unanswered: number;
  /** Every POST, and the answers by "<status> <status or error>" (or "connection <code>"). */
  readonly posted: number;
  readonly answers: Readonly<Record<string, number>>;
  /** The incarnation of replica 1 that was killed, and how many of its requests were in flight then. */
  readonly killedIncarnation: string;
  readonly inFlightAtKill: number;
  readonly seconds: number;
}

// The replica is bundled once per run (esbuild, dependencies left as imports): a replica then
// starts in a fraction of a second where tsx would compile the sources again for each start, which
// takes seconds on a busy two-core machine, and the restart is part of what is measured.
const replicaSource = fileURLToPath(new URL("./replica-receiver.ts", import.meta.url));
const replicaBundle = fileURLToPath(
  new URL("../../../node_modules/.cache/thingspace-m2m/replica-receiver.mjs", import.meta.url),
);
let bundled: Promise<unknown> | undefined;
const bundleReplica = () =>
  (bundled ??= build({
    entryPoints: [replicaSource],
    outfile: replicaBundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  }));
const maxSends = 10;
const copied = (n: number) => n % 10 < 3;
const copiedAtOnce = (n: number) => n % 20 < 10;

interface Replica {
  port: number;
  incarnation: string;
  child: ChildProcess;
  agent: Agent;
  inFlight: number;
}

/** Runs the scenario against fresh data of its own, and deletes that data afterwards. */
export async function runReplicaScenario(scenario: ReplicaScenario): Promise<ReplicaOutcome> {
  const run = runName();
  const started = performance.now();
  await createRunSchema(run);
  const pool = schemaPool(run, 2);
  try {
    await pool.query(
      "CREATE TABLE effects (id bigserial PRIMARY KEY, callback text NOT NULL, incarnation text NOT NULL)",
    );
    if (scenario.store.startsWith("postgres")) await createPostgresDedupeStore({ pool, sweepIntervalMs: 0 }).migrate();
    const sending = await send(scenario, run);
    const { rows } = await pool.query<{ callback: string; incarnations: string[] }>(
      "SELECT callback, array_agg(incarnation ORDER BY id) AS incarnations FROM effects GROUP BY callback",
    );
    const effectsBy: Record<string, number> = {};
    for (const row of rows)
      for (const incarnation of row.incarnations) effectsBy[incarnation] = (effectsBy[incarnation] ?? 0) + 1;
    return {
      ...sending,
      effectsBy,
      lost: scenario.callbacks - rows.length,
      handledTwice: rows.filter((row) => row.incarnations.length > 1),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool.end();
    await dropRunData({ prefix: `${run}:`, schema: run });
  }
}

async function startReplica(
  scenario: ReplicaScenario,
  run: string,
  incarnation: string,
  port = 0,
  killAfterEffect = 0,
) {
  await bundleReplica();
  const child = spawn(process.execPath, [replicaBundle], {
    stdio: ["pipe", "pipe", "inherit"],
    env: {
      ...process.env,
      STORE: scenario.store,
      RUN: run,
      PORT: String(port),
      INCARNATION: incarnation,
      CALLBACK_USERNAME: listenerCredentials.username,
      CALLBACK_PASSWORD: listenerCredentials.password,
      LEASE_MS: String(scenario.leaseMs ?? 1_500),
      KILL_AFTER_EFFECT: String(killAfterEffect),
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
    },
  });
  // A replica that dies before it listens (its error is on stderr) must fail the run, not hang it.
  const line = await Promise.race([
    once(child.stdout!, "data").then(([data]) => String(data)),
    once(child, "exit").then(([code]) => `exited with ${code}`),
  ]);
  const listening = Number(line.trim());
  if (!Number.isInteger(listening)) throw new Error(`replica ${incarnation} did not start: ${line}`);
  return { port: listening, child };
}

async function stopReplica(replica: Replica): Promise<void> {
  replica.agent.destroy();
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = once(replica.child, "exit");
  replica.child.stdin!.end();
  await exited;
}

async function send(scenario: ReplicaScenario, run: string) {
  const concurrency = scenario.concurrency ?? 48;
  const victimEffects = Math.floor(scenario.callbacks / 3 / 2);
  const starts = await Promise.allSettled(
    [0, 1, 2].map(async (index): Promise<Replica> => {
      const incarnation = `replica-${index}`;
      const killAfter = index === 1 && scenario.kill === "after-effect" ? victimEffects : 0;
      const { port, child } = await startReplica(scenario, run, incarnation, 0, killAfter);
      return {
        port,
        child,
        incarnation,
        agent: new Agent({ keepAlive: true, maxSockets: 2 * concurrency }),
        inFlight: 0,
      };
    }),
  );
  const replicas = starts.flatMap((start) => (start.status === "fulfilled" ? [start.value] : []));
  const failed = starts.find((start) => start.status === "rejected");
  if (failed) {
    await Promise.all(replicas.map(stopReplica)); // the ones that did start
    throw failed.reason;
  }
  const answers: Record<string, number> = {};
  const tally = (key: string) => (answers[key] = (answers[key] ?? 0) + 1);
  let posted = 0;
  let unanswered = 0;
  let inFlightAtKill = -1;
  const killedIncarnation = replicas[1]!.incarnation;

  // Replica 1, once dead, comes back on its port as a new incarnation.
  const restarted = new Promise<void>((resolve, reject) => {
    replicas[1]!.child.once("exit", () => {
      if (inFlightAtKill < 0) inFlightAtKill = replicas[1]!.inFlight;
      replicas[1]!.agent.destroy();
      setTimeout(() => {
        startReplica(scenario, run, "replica-1-restarted", replicas[1]!.port).then(({ child }) => {
          Object.assign(replicas[1]!, {
            child,
            incarnation: "replica-1-restarted",
            agent: new Agent({ keepAlive: true, maxSockets: 2 * concurrency }),
          });
          resolve();
        }, reject);
      }, 200);
    });
  });

  function post(replica: Replica, body: string): Promise<string> {
    posted += 1;
    replica.inFlight += 1;
    return new Promise<string>((resolve) => {
      const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
      const outgoing = request(
        {
          host: "127.0.0.1",
          port: replica.port,
          path: "/thingspace/carrier",
          method: "POST",
          agent: replica.agent,
          headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("error", (error: NodeJS.ErrnoException) => resolve(`connection ${error.code}`));
          incoming.on("end", () => {
            const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { status?: string; error?: string };
            resolve(`${incoming.statusCode} ${answer.status ?? answer.error}`);
          });
        },
      );
      outgoing.on("error", (error: NodeJS.ErrnoException) => resolve(`connection ${error.code}`));
      outgoing.end(body);
    }).finally(() => (replica.inFlight -= 1));
  }

  /**
   * One series: sends until 2xx, moving to the next replica after each failed send. Resolves to
   * the incarnation that acknowledged it (undefined when none did).
   */
  async function deliver(n: number, first: number): Promise<string | undefined> {
    for (let count = 1; count <= maxSends; count++) {
      const replica = replicas[(first + count - 1) % 3]!;
      const incarnation = replica.incarnation;
      const answer = await post(replica, carrierCallbackBody(n, run, count));
      tally(answer);
      if (answer.startsWith("2")) return incarnation;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, 50 * count)));
    }
    unanswered += 1;
    return undefined;
  }

  let waitForRestart: Promise<void> | undefined;
  const backInTime = () =>
    (waitForRestart ??= Promise.race([
      restarted,
      new Promise<void>((_, reject) =>
        setTimeout(() => reject(new Error("replica 1 was not killed and back within 60 s")), 60_000).unref(),
      ),
    ]));
  const copiesAckedApart: number[] = [];
  let done = 0;
  let next = 0;
  async function worker(): Promise<void> {
    while (next < scenario.callbacks) {
      const n = next++;
      // The last quarter waits for replica 1 to be back, so the restarted replica takes part
      // (the kill comes well before: mid-run, or replica 1's effects reaching a sixth of the run).
      if (n >= Math.floor((scenario.callbacks * 3) / 4)) await backInTime();
      const home = n % 3;
      if (!copied(n)) {
        await deliver(n, home);
      } else {
        const acked = copiedAtOnce(n)
          ? await Promise.all([deliver(n, home), deliver(n, home + 1)])
          : [await deliver(n, home), await deliver(n, home + 1)];
        if (acked[0] !== undefined && acked[1] !== undefined && acked[0] !== acked[1]) copiesAckedApart.push(n);
      }
      done += 1;
      if (scenario.kill === "signal" && done === Math.floor(scenario.callbacks / 2)) {
        inFlightAtKill = replicas[1]!.inFlight;
        replicas[1]!.child.kill("SIGKILL");
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (inFlightAtKill < 0) throw new Error("replica 1 was never killed: the scenario has too few callbacks");
    await restarted;
  } finally {
    await Promise.all(replicas.map(stopReplica));
  }
  const copies = Array.from({ length: scenario.callbacks }, (_, n) => n).filter(copied);
  return {
    copied: copies,
    copiesAckedApart,
    victimEffects,
    unanswered,
    posted,
    answers,
    killedIncarnation,
    inFlightAtKill,
  };
}

/** The effect's key for device `n`, as the replicas write it (the callback's deviceKey). */
export const callbackOf = (n: number): string => `imei:${imeiOf(n)}`;
