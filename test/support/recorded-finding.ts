/**
 * One finding recorded on a fresh temporary store, for the FG's core tests: the store, its clean-up,
 * the FG's dependencies with a clock the test moves (`clock.now`), and the incident's id.
 */
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { findingEvent } from './events.js';
import { tempSqliteStore } from './store.js';

export interface RecordedFinding {
  store: SqliteIncidentStore;
  cleanup: () => Promise<void>;
  clock: { now: string };
  deps: FgDeps;
  id: string;
  /** Records another finding event at the clock's time (no containment carried out). */
  record: (event: ReturnType<typeof findingEvent>) => Promise<void>;
}

export async function recordedFinding(policy: Policy, event: ReturnType<typeof findingEvent>, at: string): Promise<RecordedFinding> {
  const { store, cleanup } = tempSqliteStore();
  const clock = { now: at };
  const deps: FgDeps = { store, policy, now: () => clock.now };
  const record = async (e: ReturnType<typeof findingEvent>) => void (await recordEvent({ ...deps, canEnforce: false }, e));
  const id = (await recordEvent({ ...deps, canEnforce: false }, event)).incidentId as string;
  return { store, cleanup, clock, deps, id, record };
}
