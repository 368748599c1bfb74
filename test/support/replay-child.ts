/**
 * A replay in a process of its own, recording as `datalek replay` does on the embedded store (in
 * bulk, in groups of commits, each group's events released once it is committed, their messages
 * then delivered), except that the store checkpoints its log every `pages` pages instead of every
 * 10,000: a test can then kill it after the log has started over several times, its file written
 * over rather than cut back (replay-crash.test.ts). Prints `released <incident id>` for each event
 * once its group is committed, and `restarted` each time the log's frames in use drop (it began
 * again from its start). Once the log has started over `restarts` times and its file holds frames
 * past those in use (an older log's), it records one more event, prints `unreleased <incident id>`,
 * and kills itself (SIGKILL: no close, no flush) with that event's group under way.
 *
 * Arguments: the store's folder, a file of events (a JSON array), the pages between checkpoints,
 * the restarts before it dies.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { CommitGroups } from '../../handlers/cli/commands/replay.js';
import { deliverMessages } from '../../handlers/core/deliver.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, type RecordResult, recordEventText } from '../../handlers/core/record-finding.js';

const [dir, eventsFile, pages, restarts] = process.argv.slice(2);
const log = join(dir, STORE_FILE);
const NOW = '2026-11-28T03:00:00.000Z';
const store = new SqliteIncidentStore(dir, { bulk: true, checkpointPages: Number(pages) });
const deps: RecordDeps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false, claimQueued: () => true };
store.deferSentMarks(5);
const notifier = { deliver: async () => {} };
let frames = 0;
let restarted = 0;
let dying = false;
const groups = new CommitGroups<RecordResult>(store, async (events) => {
  for (const r of events) {
    await deliverMessages({ store, notifier, now: deps.now }, r.queued ?? [], r.claimed);
    process.stdout.write(`released ${r.incidentId}\n`);
  }
  // Read through the store's own descriptor of the log's index: walFrames(log) opens and closes the
  // file, which drops this process's SQLite locks on it (sqlite-store.ts walIndexFd).
  const now = (store as unknown as { walPages(): number }).walPages();
  if (now < frames) {
    restarted += 1;
    process.stdout.write('restarted\n');
  }
  frames = now;
  // A frame: a page of 4 KB and its header of 24 bytes, after the file's header of 32.
  dying = restarted >= Number(restarts) && statSync(`${log}-wal`).size > 32 + now * (4096 + 24);
});
await groups.run(async () => {
  for (const event of JSON.parse(readFileSync(eventsFile, 'utf8')) as unknown[]) {
    groups.open();
    const result = await recordEventText(deps, JSON.stringify(event));
    if (dying) {
      process.stdout.write(`unreleased ${result.incidentId}\n`, () => process.kill(process.pid, 'SIGKILL'));
      await new Promise(() => {});
    }
    await groups.recorded(result);
    // The checkpoint on the other thread takes its time: give it a turn now and then.
    await new Promise((resolve) => setImmediate(resolve));
  }
});
await store.close();
