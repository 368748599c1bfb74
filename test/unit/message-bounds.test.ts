/**
 * A message lists the first resources and actions and says how many more and where to see them
 * all, in Dutch and English; its text never exceeds MAX_BODY_BYTES; a failed action is always listed.
 */
import { describe, expect, it } from 'vitest';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { boundBody, MAX_BODY_BYTES, MAX_LISTED } from '../../handlers/core/message-bounds.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T03:00:00.000Z';

function bigIncident() {
  const actions: ActionRecord[] = Array.from({ length: 300 }, (_, i) => ({
    id: `isolate-instance:i-${i}`,
    type: 'isolate-instance',
    target: `i-${String(i).padStart(17, '0')}`,
    status: i === 299 ? 'failed' : 'planned',
    mode: 'enforce',
    findingId: 'f-1',
    at: NOW,
    ...(i === 299 ? { reason: 'isolate-eni:eni-9 failed (UnauthorizedOperation)' } : {}),
  }));
  const resources = Array.from({ length: 2500 }, (_, i) => ({
    kind: 's3-bucket' as const,
    resourceType: 'S3Bucket',
    id: `klant-${String(i).padStart(5, '0')}`,
  }));
  return incidentFixture({ id: 'dl-big', actions, resources: [{ kind: 'ec2-instance', resourceType: 'Instance', id: 'i-dl-big' }, ...resources] });
}

describe('bounded messages', () => {
  for (const language of ['nl', 'en'] as const) {
    it(`lists the first resources and actions, counts the rest and names where they all are (${language})`, () => {
      const policy = { ...DEFAULT_POLICY, language };
      for (const channel of ['fg', 'on-call'] as const) {
        const m = composeMessage({ incident: bigIncident(), channel, kind: 'opened', stateKey: 'opened', now: NOW, policy });
        expect(new TextEncoder().encode(m.body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
        expect(m.body).toContain('klant-00000');
        expect(m.body).not.toContain('klant-02499');
        expect(m.body).toContain(
          language === 'nl'
            ? `en nog ${2500 - MAX_LISTED} meer (alle: datalek show dl-big)`
            : `and ${2500 - MAX_LISTED} more (all of them: datalek show dl-big)`,
        );
        // The failed action is listed although it comes last; the rest are counted.
        expect(m.body).toContain('i-00000000000000299');
        expect(m.body).not.toContain('i-00000000000000250');
        expect(m.body).toContain(language === 'nl' ? `en nog ${300 - MAX_LISTED} meer` : `and ${300 - MAX_LISTED} more`);
      }
    });
  }

  it('cuts a text over the bound on a line, saying so and where all of it is', () => {
    const lines = ['eerste regel', ...Array.from({ length: 5000 }, (_, i) => `regel ${i} ${'é'.repeat(20)}`)];
    const out = boundBody(lines, 'nl', 'dl-x', 4096);
    expect(new TextEncoder().encode(out.join('\n')).length).toBeLessThanOrEqual(4096);
    expect(out[0]).toBe('eerste regel');
    expect(out.at(-1)).toBe('… (bericht ingekort tot 4 kB; alles: datalek show dl-x)');
    expect(boundBody(['kort'], 'en', 'dl-x')).toEqual(['kort']);
  });

  it('counts bytes, not characters: three-byte characters just within the bound stay, one more is cut', () => {
    // 1,000 characters of three bytes each on two lines: 3,001 bytes with the newline.
    const lines = ['€'.repeat(500), '€'.repeat(500)];
    expect(boundBody(lines, 'en', 'dl-x', 3001)).toEqual(lines);
    const cut = boundBody(lines, 'en', 'dl-x', 3000);
    expect(cut.at(-1)).toMatch(/^… \(message shortened to/);
    expect(new TextEncoder().encode(cut.join('\n')).length).toBeLessThanOrEqual(3000);
    // Four-byte characters (two UTF-16 units each) too.
    const emoji = ['😀'.repeat(500)];
    expect(boundBody(emoji, 'en', 'dl-x', 2000)).toEqual(emoji);
    expect(boundBody(emoji, 'en', 'dl-x', 1999).at(-1)).toMatch(/^… \(message shortened to/);
  });
});
