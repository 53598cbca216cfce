// Issue #14's "done when": three receiver processes behind one sender, 30% of the callbacks sent
// a second time to another replica (half at once), one replica SIGKILLed mid-run and restarted;
// every handler run is a row in PostgreSQL. With a shared store nothing is lost and nothing is
// handled twice, except, for the claim/complete stores (Redis, PostgreSQL lease mode), the
// callbacks whose handler was running in the process that was killed: their effect may exist
// without the completion, and the redelivery runs them again once the lease lapses. The
// transactional store handles even those once, though the kill lands right after a handler's
// write. The memory store, one per process, handles twice every callback two replicas acknowledged.
//
// Size: REPLICA_CALLBACKS callbacks per store (default 2,000, so that `npm test` stays bounded on a
// shared two-core machine); CI runs this file again with REPLICA_CALLBACKS=20000 (.ci/run).
import { describe, expect, it } from "vitest";
import { callbackOf, runReplicaScenario, type ReplicaOutcome } from "./replica-rig.js";

const callbacks = Number(process.env.REPLICA_CALLBACKS ?? 2_000);
// Generous: the figures of a loaded machine (about 70 callbacks a second) with room to spare.
const timeout = 60_000 + callbacks * 60;

/** The callbacks handled more than once, whose first run was not in the replica that was killed. */
const doublesNotFromTheKill = (outcome: ReplicaOutcome) =>
  outcome.handledTwice.filter(({ incarnations }) => incarnations[0] !== outcome.killedIncarnation);

function report(store: string, outcome: ReplicaOutcome): void {
  console.log(
    `${store}: ${callbacks} callbacks, ${outcome.posted} posts in ${outcome.seconds.toFixed(1)} s; ` +
      `lost ${outcome.lost}, handled twice ${outcome.handledTwice.length} ` +
      `(${outcome.inFlightAtKill} requests in flight in the killed replica); answers ${JSON.stringify(outcome.answers)}`,
  );
}

describe(`${callbacks} callbacks, three replicas, one killed and restarted mid-run`, () => {
  it(
    "memory store (one per process): every callback acknowledged by two replicas was handled twice",
    { timeout },
    async () => {
      const outcome = await runReplicaScenario({ store: "memory", callbacks, kill: "signal" });
      report("memory", outcome);
      expect([outcome.lost, outcome.unanswered]).toEqual([0, 0]);
      const twice = new Set(outcome.handledTwice.map(({ callback }) => callback));
      expect(outcome.copiesAckedApart.filter((n) => !twice.has(callbackOf(n)))).toEqual([]);
      // Most copies reach two replicas (the others were moved onto one by the outage).
      expect(outcome.copiesAckedApart.length).toBeGreaterThan(outcome.copied.length * 0.8);
    },
  );

  for (const store of ["redis", "postgres"] as const) {
    it(
      `${store} store: none lost; none handled twice but what the killed replica was running`,
      { timeout },
      async () => {
        const outcome = await runReplicaScenario({ store, callbacks, kill: "signal" });
        report(store, outcome);
        expect([outcome.lost, outcome.unanswered]).toEqual([0, 0]);
        expect(doublesNotFromTheKill(outcome)).toEqual([]);
        expect(outcome.handledTwice.length).toBeLessThanOrEqual(outcome.inFlightAtKill);
        // The copies, the restart and the redeliveries were all answered from the shared store.
        expect(outcome.answers["200 duplicate"]).toBeGreaterThanOrEqual(outcome.copied.length - outcome.inFlightAtKill);
      },
    );
  }

  it(
    "postgres transactional store: none lost, none handled twice, though the kill lands between a handler's write and its answer",
    { timeout },
    async () => {
      const outcome = await runReplicaScenario({ store: "postgres-transactional", callbacks, kill: "after-effect" });
      report("postgres-transactional", outcome);
      expect([outcome.lost, outcome.unanswered, outcome.handledTwice]).toEqual([0, 0, []]);
      // The write after which replica 1 died was rolled back with its transaction.
      expect(outcome.effectsBy["replica-1"]).toBeLessThan(outcome.victimEffects);
      expect(outcome.effectsBy["replica-1-restarted"]).toBeGreaterThan(0);
    },
  );
});
