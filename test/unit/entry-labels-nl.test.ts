/**
 * The Dutch page (the default language) describes every timeline entry the pipeline writes in
 * Dutch, and the reason an action is left to another incident too (review6 R6): these showed as
 * their raw kind, or as `toelichting (Engels): "contained by incident …"`.
 */
import { describe, expect, it } from 'vitest';
import { heldByReason } from '../../handlers/core/containment.js';
import type { TimelineEntry } from '../../handlers/core/incident.js';
import { actionReasonLabel } from '../../handlers/core/labels.js';
import { describeEntry } from '../../handlers/core/report-html.js';

const entry = (kind: string, detail: Record<string, unknown>): TimelineEntry =>
  ({ incidentId: 'dl-x', seq: 3, at: '2026-11-29T10:00:00.000Z', kind, actor: null, detail, prevHash: '', hash: '' }) as unknown as TimelineEntry;

/** Entry kinds the pipeline and the people's commands write that had no description of their own. */
const KINDS: [string, Record<string, unknown>][] = [
  ['containment-stopped', { action: 'isolate-instance', target: 'i-1', reason: 'x' }],
  ['containment-refused', { action: 'isolate-instance', target: 'i-1', reason: 'x' }],
  ['resource-exposed', { action: 'isolate-instance', target: 'i-1', resource: 'eni-1' }],
  ['detection-moved-earlier', { from: '2026-11-29T09:00:00.000Z', to: '2026-11-29T08:00:00.000Z', awarenessMoved: false }],
  ['linked-to-incident', { incidentId: 'dl-y', findingType: 'Backdoor:EC2/C&CActivity.B' }],
  ['related-incident', { incidentId: 'dl-y' }],
  ['related-incidents', { count: 12 }],
  ['incidents-merged', { merged: 'dl-y', findingType: 'Backdoor:EC2/C&CActivity.B' }],
  ['merged-into', { into: 'dl-y' }],
  ['follow-up-opened', { incidentId: 'dl-y' }],
  ['assessment-review-asked', {}],
  ['finding-resource-changed', { resourceType: 'Instance', resourceId: 'i-2' }],
  ['finding-types-not-listed', { limit: 20 }],
  ['pager-failed', { fallback: 'on-call topic' }],
  ['message-undeliverable', { messageKind: 'opened' }],
  // review7 G12 and G15: an incident opened by hand, an action carried out by hand.
  ['incident-opened-by-hand', { what: 'brief naar verkeerd adres', awareAt: '2026-11-29T09:00:00.000Z' }],
  ['containment-done-by-hand', { action: 'isolate-instance', target: 'i-1', at: '2026-11-29T09:00:00.000Z', what: 'in de console' }],
  // readC16 C1: a key drift named confirmed as the owner's on a key action datalek carried out.
  [
    'owner-keys-confirmed',
    { action: 'deactivate-access-key', target: 'AKIAEXAMPLE', ownerKeys: ['AKIAEXAMPLEOWNERNEW1'], at: '2026-11-29T09:00:00.000Z', what: 'bevestigd' },
  ],
  // A planned step a person decided not to carry out.
  ['containment-not-to-be-done', { action: 'isolate-instance', target: 'i-1', reason: 'server vervangen' }],
  // After closing: no follow-up to the AP, with its reason (Art. 33(4)).
  ['no-follow-up', { reference: 'M-1', reason: 'de AP verlangt geen aanvulling' }],
];

describe('the reason a review was asked, as the report names it (red26)', () => {
  it('names a resource the incident did not hold, and an incident merged in, not a new finding type', () => {
    const fresh = entry('assessment-review-asked', { newResource: true, findingType: 'AttackSequence:S3/CompromisedData' });
    expect(describeEntry(fresh, 'en', 'Europe/Amsterdam')).toBe(
      'FG asked to assess again: a finding naming a resource the incident did not hold, after the assessment',
    );
    expect(describeEntry(fresh, 'nl', 'Europe/Amsterdam')).toBe(
      'Nieuwe beoordeling door de FG gevraagd: een bevinding die een resource noemt die het incident nog niet had, na de beoordeling',
    );
    const merged = entry('assessment-review-asked', { newResource: true, mergedIncidentId: 'dl-y' });
    expect(describeEntry(merged, 'en', 'Europe/Amsterdam')).toBe(
      'FG asked to assess again: incident dl-y, merged in after the assessment, brings a resource the incident did not hold',
    );
    const type = entry('assessment-review-asked', { mergedIncidentId: 'dl-y' });
    expect(describeEntry(type, 'nl', 'Europe/Amsterdam')).toBe(
      'Nieuwe beoordeling door de FG gevraagd: incident dl-y, na de beoordeling samengevoegd, brengt een nieuw type bevinding',
    );
    expect(describeEntry(entry('assessment-review-asked', {}), 'en', 'Europe/Amsterdam')).toBe(
      'FG asked to assess again: a new finding type after the assessment',
    );
  });
});

describe('Dutch texts of timeline entries and of an action left to another incident (review6 R6)', () => {
  it('says in Dutch that an action is left to the incident holding its resource', () => {
    const label = actionReasonLabel('nl', heldByReason('dl-0123'));
    expect(label).not.toMatch(/Engels/);
    expect(label).toContain('dl-0123');
  });
  it.each(KINDS)('describes %s in both languages, never as its raw kind', (kind, detail) => {
    for (const lang of ['nl', 'en'] as const) {
      const text = describeEntry(entry(kind, detail), lang, 'Europe/Amsterdam');
      expect(text).not.toBe(kind);
      expect(text).not.toMatch(/undefined|null/);
    }
  });
});
