/**
 * readB19: since 17fbc7cc the digest lists every incident left out, and each anchor run names those
 * it does not read (past the 100 it reads of them). The anchor function logged one error line per
 * incident and put every id in the error it throws: whoever keeps thousands of incidents broken
 * (up to a hundred more each run) grew every run's log by some 400 bytes an incident, and the error
 * past what a log event holds. The ones not read are now named in lines of LEFT_OUT_PER_LINE ids,
 * and the error names that many and counts the rest; every incident is still named in the log.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { DigestFolder } from '../../handlers/adapters/local/digest-folder.js';
import { pemSigner } from '../../handlers/adapters/local/pem-keys.js';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { MAX_BROKEN_PER_RUN } from '../../handlers/core/anchor.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createAnchorHandler, LEFT_OUT_PER_LINE } from '../../handlers/lambda/anchor.js';
import { findingEvent } from '../support/events.js';
import { capturingLogger, errorLines } from '../support/logs.js';
import { tempSqliteStore } from '../support/store.js';
import { digestKeys } from '../support/tamper.js';

const NOW = '2026-11-28T03:00:00.000Z';
const world = tempSqliteStore();
afterAll(() => world.cleanup());

it('names the incidents left out and not read in lines of a hundred, and the error counts past a hundred', async () => {
  const { dir, store } = world;
  // More broken than two runs read of them (the list's 100 and 100 more), so that some listed are not read.
  const count = 2 * MAX_BROKEN_PER_RUN + 60;
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const r = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false },
      findingEvent({ id: `kept-broken-${n}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-kept-broken-${n}` }),
    );
    ids.push(r.incidentId as string);
  }
  const db = new Database(join(dir, STORE_FILE));
  db.prepare(`UPDATE incidents SET data = replace(data, '"severity":8', '"severity":2')`).run();
  db.close();
  const lines: string[] = [];
  const keys = digestKeys(dir);
  const anchor = createAnchorHandler({
    source: store,
    digests: new DigestFolder(join(dir, 'digests')),
    signer: async () => pemSigner(keys.private),
    logger: capturingLogger(lines),
    now: () => NOW,
  });
  let error = '';
  let notRead: string[] = [];
  for (let run = 0; run < 4 && notRead.length < 2; run++) {
    lines.length = 0;
    error = await anchor().then(
      () => '',
      (err: Error) => err.message,
    );
    const errors = errorLines(lines).map((l) => JSON.parse(l) as { message: string; entry?: string; incidentId?: string; incidentIds?: string[] });
    const grouped = errors.filter((e) => e.message.includes('not read by this run'));
    // Named either way: on a line of its own (entry "left out", as before) or in a line of many.
    const alone = errors.filter((e) => e.entry === 'left out');
    notRead = [...grouped.flatMap((e) => e.incidentIds ?? []), ...alone.map((e) => e.incidentId as string)];
    // Each line names at most LEFT_OUT_PER_LINE, and none has a line of its own.
    expect(grouped.every((e) => (e.incidentIds?.length ?? 0) <= LEFT_OUT_PER_LINE)).toBe(true);
    expect(alone.map((e) => e.incidentId)).toEqual([]);
  }
  expect(notRead.length, 'premise: a run left some listed incidents unread').toBeGreaterThan(1);
  expect(errorLines(lines).filter((l) => l.includes('not read by this run'))).toHaveLength(Math.ceil(notRead.length / LEFT_OUT_PER_LINE));
  // The error names a hundred and counts the rest.
  expect(error).toMatch(
    new RegExp(
      `${count} incident\\(s\\) that do not verify \\(dl-[0-9a-f]{32}(, dl-[0-9a-f]{32}){${LEFT_OUT_PER_LINE - 1}}, and ${count - LEFT_OUT_PER_LINE} more the log names\\)`,
    ),
  );
}, 120_000);
