/**
 * An action on a target in another account than the incident's says so wherever on-call and the FG
 * read it: the FG and on-call messages (Dutch and English) and the incident page's containment
 * list, as `show` does (known-left: "the messages and the web page don't print an other-account
 * action's account").
 */
import { describe, expect, it } from 'vitest';
import { type ActionRecord, appendEntries } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';
const OTHER = '444455556666';
const ENGLISH = parsePolicy({ language: 'en' });

const action = (over: Partial<ActionRecord>): ActionRecord => ({
  id: 'x',
  type: 'revoke-role-sessions',
  target: 'AppRole',
  status: 'planned',
  mode: 'plan',
  findingId: 'f-1',
  at: NOW,
  ...over,
});

function incident() {
  return incidentFixture({
    id: 'dl-0000000000000000000000000000aaaa',
    actions: [
      action({ id: 'revoke-role-sessions:AppRole' }),
      action({ id: `revoke-role-sessions:AppRole@${OTHER}`, accountId: OTHER }),
      action({ id: `revoke-role-sessions:Deploy@${OTHER}/eu-central-1`, target: 'Deploy', accountId: OTHER, region: 'eu-central-1' }),
    ],
  });
}

describe('an action in another account', () => {
  for (const [policy, other, otherRegion] of [
    [DEFAULT_POLICY, `AppRole in account ${OTHER}: gepland`, `Deploy in account ${OTHER}, regio eu-central-1: gepland`],
    [ENGLISH, `AppRole in account ${OTHER}: planned`, `Deploy in account ${OTHER}, region eu-central-1: planned`],
  ] as const) {
    it(`names its account (and region) in the FG and on-call messages, in ${policy.language}`, () => {
      for (const channel of ['fg', 'on-call'] as const) {
        const m = composeMessage({ incident: incident(), channel, kind: 'opened', stateKey: 'opened', now: NOW, policy });
        const lines = m.body.split('\n').filter((l) => l.startsWith('  - '));
        expect(lines).toHaveLength(3);
        // The incident's own account is not named: only where it differs.
        expect(lines[0]).not.toContain(' in account');
        expect(lines[1]).toContain(other);
        expect(lines[2]).toContain(otherRegion);
      }
      const news = composeMessage({
        incident: incident(),
        channel: 'on-call',
        kind: 'finding-added',
        stateKey: 'type:x',
        now: NOW,
        policy,
        news: { findingId: 'f-2', findingType: 'x', severity: 8, actions: [{ type: 'revoke-role-sessions', target: 'AppRole', accountId: OTHER }] },
      });
      expect(news.body).toContain(`AppRole in account ${OTHER}`);
    });
  }

  it('names its account (and region) in the incident page’s containment list', async () => {
    const f = tempSqliteStore();
    try {
      const i = incident();
      await f.store.commit({ incident: i, expectedRevision: null, timeline: appendEntries(i, [{ at: NOW, kind: 'incident-opened' }]), messages: [] });
      const web = inProcessWebApp({ store: f.store, policy: DEFAULT_POLICY, now: () => NOW });
      for (const [lang, words] of [
        ['nl', [`AppRole in account ${OTHER}`, `Deploy in account ${OTHER}, regio eu-central-1`]],
        ['en', [`AppRole in account ${OTHER}`, `Deploy in account ${OTHER}, region eu-central-1`]],
      ] as const) {
        const text = pageText(await (await web.get(`/incidents/${i.id}`, lang)).text());
        for (const w of words) expect(text).toContain(w);
      }
    } finally {
      await f.cleanup();
    }
  });
});
