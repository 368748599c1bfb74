/**
 * rel28: an action released with its IAM user stated deleted (`release --user-deleted`) is shown so
 * by `show` and on the page, beside who released it and why: "undone by X" alone reads as if the
 * release removed what it could not, and the person's word is what the release rests on.
 */
import { expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const revocation = (userDeleted: boolean): ActionRecord => ({
  id: 'revoke-user-sessions:iam-user:5f0c4e2a91b7d3e8',
  type: 'revoke-user-sessions',
  target: 'iam-user:5f0c4e2a91b7d3e8',
  status: 'done',
  mode: 'enforce',
  findingId: 'f',
  at: '2026-11-28T10:00:00.000Z',
  released: { at: '2026-11-29T10:00:00.000Z', by: 'oncall', reason: 'CloudTrail DeleteUser', ...(userDeleted ? { userDeleted: true as const } : {}) },
});

it('show says the IAM user was stated deleted beside the release, and nothing of it otherwise', () => {
  const shown = (userDeleted: boolean) =>
    showText(incidentFixture({ id: 'dl-shown', actions: [revocation(userDeleted)] }), [], DEFAULT_POLICY, '2026-11-29T12:00:00.000Z');
  expect(shown(true)).toContain(
    ': CloudTrail DeleteUser; its IAM user not found and stated deleted by oncall (--user-deleted): what the release could not remove went with it',
  );
  expect(shown(false)).not.toContain('stated deleted');
});

it('the page says it too, in its language', async () => {
  const t = tempSqliteStore();
  try {
    await t.store.commit({ incident: incidentFixture({ id: 'dl-shown', actions: [revocation(true)] }), expectedRevision: null, timeline: [], messages: [] });
    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-29T12:00:00.000Z' });
    expect(pageText(await (await web.get('/incidents/dl-shown', 'nl')).text())).toContain(
      'de IAM-gebruiker niet gevonden en door oncall als verwijderd opgegeven (--user-deleted)',
    );
    expect(pageText(await (await web.get('/incidents/dl-shown', 'en')).text())).toContain(
      'its IAM user not found and stated deleted by oncall (--user-deleted)',
    );
  } finally {
    await t.cleanup();
  }
});
