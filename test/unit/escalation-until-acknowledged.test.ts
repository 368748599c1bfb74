/**
 * review12 K6 (attack14b): the FG's assessment stopped on-call's escalation although nobody
 * acknowledged the page. schedule.ts `escalation` paged only while `state === 'open'`, and `assess`
 * moves an open incident to `assessed`: an FG who assessed the legal side (even "not notifiable")
 * before on-call picked up ended the paging, the secondary and the rounds after never went out, and
 * nobody from on-call was on the incident (its containment, in plan mode on-call's to carry out).
 * The escalation runs until a person acknowledges, whatever the FG's state; `status` counts such an
 * incident as not acknowledged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const T0 = '2026-11-30T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('an assessment before anyone acknowledged', () => {
  const fixture = tempSqliteStore();
  afterEach(async () => fixture.cleanup());

  it('leaves the escalation paging until on-call acknowledges', async () => {
    const policy = parsePolicy({});
    const { store } = fixture;
    const r = await recordEvent({ store, policy, now: () => T0, canEnforce: false }, findingEvent({ id: 'esc-1', severity: 8.5, createdAt: T0 }));
    const id = r.incidentId as string;
    // Control: without the assessment, the sweep 16 minutes on pages the next level.
    const control = tempSqliteStore();
    try {
      await recordEvent({ store: control.store, policy, now: () => T0, canEnforce: false }, findingEvent({ id: 'esc-1', severity: 8.5, createdAt: T0 }));
      const pages = (await sweep({ store: control.store, policy, now: () => at(16) })).sent.filter((s) => s.kind === 'page');
      expect(pages.length, 'control: the escalation pages the next level').toBeGreaterThan(0);
    } finally {
      await control.cleanup();
    }
    // The FG assesses at minute 5; nobody from on-call has acknowledged.
    await assess(
      { store, policy, now: () => at(5) },
      { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen persoonsgegevens', by: 'FG' },
    );
    const incident = await store.getIncident(id);
    expect(incident?.acknowledgedBy ?? null).toBeNull();
    const pages = [
      ...(await sweep({ store, policy, now: () => at(16) })).sent,
      ...(await sweep({ store, policy, now: () => at(31) })).sent,
      ...(await sweep({ store, policy, now: () => at(120) })).sent,
    ].filter((s) => s.kind === 'page');
    expect(pages.length, 'the escalation stopped at the assessment, with nobody acknowledging').toBeGreaterThan(0);
    // `status` counted only an `open` incident as not acknowledged.
    const status = await runCli(['status', '--store', fixture.dir, '--now', at(121)]);
    expect(status.stdout).toContain('1 open incident, 1 not acknowledged');
    // A person's acknowledgement still ends it.
    await acknowledge({ store, policy, now: () => at(125) }, { incidentId: id, by: 'Anna' });
    const after = (await sweep({ store, policy, now: () => at(300) })).sent.filter((s) => s.kind === 'page');
    expect(after).toEqual([]);
  });

  it('a Medium incident the FG assessed, raised to High by a joining finding: on-call is paged once, never escalated', async () => {
    const policy = parsePolicy({});
    const fixture2 = tempSqliteStore();
    try {
      const { store } = fixture2;
      // Medium: the FG is told, on-call is not paged.
      const r = await recordEvent(
        { store, policy, now: () => T0, canEnforce: false },
        findingEvent({ id: 'esc-m', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5, createdAt: T0 }),
      );
      const id = r.incidentId as string;
      await assess(
        { store, policy, now: () => at(20) },
        { incidentId: id, personalData: 'no', risk: 'none', reason: 'poortscan, geen persoonsgegevens', by: 'FG' },
      );
      // An hour later a High finding on the same instance joins it: on-call's first page.
      await recordEvent({ store, policy, now: () => at(60), canEnforce: false }, findingEvent({ id: 'esc-h', severity: 8.5, createdAt: at(59) }));
      const incident = await store.getIncident(id);
      expect(incident?.severity).toBe(8.5);
      expect(incident?.paging.firstPageAt).toBe(at(60));
      expect(incident?.acknowledgedBy ?? null).toBeNull();
      const pages = [
        ...(await sweep({ store, policy, now: () => at(76) })).sent,
        ...(await sweep({ store, policy, now: () => at(91) })).sent,
        ...(await sweep({ store, policy, now: () => at(180) })).sent,
      ].filter((s) => s.kind === 'page');
      expect(pages.length, 'a High page nobody acknowledged is never escalated on an assessed incident').toBeGreaterThan(0);
    } finally {
      await fixture2.cleanup();
    }
  });
});
