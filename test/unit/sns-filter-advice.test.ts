/**
 * The README's advice on SNS subscription filters must not be a trap (review8, fg-security's
 * smaller observations). An SNS filter policy drops a message that lacks the attribute it names.
 * Only escalation pages carry `level` and `round`: the exposed-interface page on the same on-call
 * topic has neither, so a subscription filtered on `{"level":["on-call"]}` silently never gets it.
 * Only drill messages carry `drill`: `{"drill":[{"anything-but":"true"}]}` drops every real message.
 * The README says so, and names the forms that work.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../handlers/core/messages.js';
import { incidentFixture } from '../support/incidents.js';
import { ISOLATE_ON_SNS } from '../support/pager-incident.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const NOW = '2026-11-27T22:00:00.000Z';

describe('the README on filtering datalek messages by their SNS attributes', () => {
  it('holds for the messages: the on-call topic carries pages without `level`, and real messages carry no `drill`', () => {
    const incident = incidentFixture({ id: 'dl-filter' });
    const page = composeMessage({
      incident,
      channel: 'on-call',
      kind: 'page',
      stateKey: 'page:1',
      now: NOW,
      policy: ISOLATE_ON_SNS,
      level: 'secondary',
      round: 0,
    });
    const exposed = composeMessage({
      incident,
      channel: 'on-call',
      kind: 'interface-exposed',
      stateKey: 'exposed:1',
      now: NOW,
      policy: ISOLATE_ON_SNS,
      exposed: 'eni-1',
    });
    expect(page.attributes).toMatchObject({ level: 'secondary', round: '0' });
    expect(exposed.attributes).not.toHaveProperty('level');
    for (const m of [page, exposed]) expect(m.attributes).not.toHaveProperty('drill');
  });

  it('says a filter drops a message without the attribute, and names the forms that work', () => {
    const advice = README.slice(README.indexOf('SNS attributes `level` and `round`'));
    expect(advice.slice(0, 900)).toMatch(/drops? (a|every) message (that lacks|without)/);
    expect(README).toContain('{"drill":[{"exists":false}]}');
  });
});
