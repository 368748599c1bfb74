/**
 * The bench's replay, shared by `bench.ts` (rates, CPU time and latencies beside the floor) and
 * `replay-instructions.ts` (instructions an event, counted with callgrind): the same synthetic
 * events, recorded on a fresh embedded store as `datalek replay` records them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIncidentStore } from '../handlers/adapters/local/sqlite-store.js';
import { type COMMIT_GROUP, CommitGroups } from '../handlers/cli/commands/replay.js';
import { deliverMessages, deliverPending } from '../handlers/core/deliver.js';
import { DEFAULT_POLICY } from '../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEventText } from '../handlers/core/record-finding.js';
import { findingEvent } from '../test/support/events.js';

export const NOW = '2026-11-28T03:00:00.000Z';

/** A deterministic mix: about half new incidents, the rest attached findings, updates and duplicates. */
export function syntheticEvents(n: number): string[] {
  const out: string[] = [];
  const findings: { id: string; instance: number; count: number }[] = [];
  let instances = 0;
  for (let i = 0; i < n; i++) {
    const roll = i % 20;
    if (findings.length < 10 || roll < 10) {
      instances += 1;
      const f = { id: `new-${i}`, instance: instances, count: 1 };
      findings.push(f);
      out.push(JSON.stringify(findingEvent({ id: f.id, instanceId: `i-${f.instance}`, count: 1 })));
    } else if (roll < 13) {
      const base = findings[(i * 7) % findings.length];
      const f = { id: `att-${i}`, instance: base.instance, count: 1 };
      findings.push(f);
      out.push(JSON.stringify(findingEvent({ id: f.id, instanceId: `i-${f.instance}`, severity: 5 })));
    } else if (roll < 17) {
      const f = findings[(i * 13) % findings.length];
      f.count += 1;
      out.push(
        JSON.stringify(
          findingEvent({
            id: f.id,
            instanceId: `i-${f.instance}`,
            count: f.count,
            updatedAt: new Date(Date.parse('2026-11-27T21:00:00Z') + f.count * 60_000).toISOString(),
          }),
        ),
      );
    } else {
      out.push(out[(i * 31) % out.length]);
    }
  }
  return out;
}

/**
 * Records `events` on a fresh store opened as `datalek replay` opens it, in groups of commits as it
 * records them (`limits`: replay's own unless given); once a group is committed, each event's
 * messages (queued claimed) are sent, their sending recorded with the next commit, and `released`
 * is told the time the event began; what else waits is sent at the end. Returns the groups made.
 */
export async function replayEvents(
  events: string[],
  options: { limits?: typeof COMMIT_GROUP; released?: (startedAt: number) => void } = {},
): Promise<{ groups: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-bench-'));
  const store = new SqliteIncidentStore(dir, { bulk: true });
  try {
    const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true };
    store.deferSentMarks(5);
    const notifier = { deliver: async () => {} };
    let groupCount = 0;
    const groups = new CommitGroups<{ t0: number; result: RecordResult }>(
      store,
      async (done) => {
        groupCount += 1;
        for (const { t0, result } of done) {
          await deliverMessages({ store, notifier, now: deps.now }, result.queued ?? [], result.claimed);
          options.released?.(t0);
        }
      },
      options.limits,
    );
    await groups.run(async () => {
      for (const text of events) {
        const t0 = performance.now();
        groups.open();
        await groups.recorded({ t0, result: await recordEventText(deps, text) });
      }
    });
    await deliverPending({ store, notifier, now: deps.now });
    return { groups: groupCount };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
