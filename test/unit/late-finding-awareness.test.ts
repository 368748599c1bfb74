/**
 * Review 5 F3: a finding created earlier than the incident's detection but delivered later (a
 * forwarder's retry, a member account, an attack sequence dated earlier) moves the detection back.
 * Nobody could have been aware of it before it arrived (Art. 33(1) counts from awareness): once the
 * FG has acted on the record's awareness (an assessment that personal data is, or may be, affected,
 * or a report) that awareness and the deadline stay, the earlier detection is recorded beside them,
 * and the FG is told. Before that the default awareness follows the detection, and the FG hears of
 * the deadline that moved.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { type FgCase, openCase } from '../support/fg-case.js';

describe('a finding created earlier, delivered after the FG acted on the awareness', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  const deliverEarlier = async (now: string) => {
    const late = join(c.dir, 'late.json');
    writeFileSync(late, JSON.stringify([findingEvent({ id: 'case-2', createdAt: '2025-11-27T10:00:00Z' })]));
    expect((await c.cli(['replay', late, '--json'], now)).code).toBe(0);
  };
  const apOf = (shown: { clocks: { name: string; status: string }[] }) => shown.clocks.find((x) => x.name === 'ap');

  it('keeps an AP report made before the deadline "met", records the earlier detection and tells the FG', async () => {
    // Detected 2025-11-27T21:00Z: deadline 2025-11-30T21:00Z.
    c = await openCase();
    await c.json(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-30T10:00:00Z');
    await c.json(['reported', c.id, '--reference', 'M-1', '--at', '2025-11-30T20:00:00Z', '--by', 'FG'], '2025-11-30T20:05:00Z');
    expect(apOf(await c.json(['show', c.id], '2025-11-30T20:10:00Z'))?.status).toBe('met');

    await deliverEarlier('2025-11-30T20:30:00Z');

    const after = await c.json(['show', c.id], '2025-11-30T20:40:00Z');
    expect(after).toMatchObject({ detectedAt: '2025-11-27T10:00:00.000Z', awareAt: '2025-11-27T21:00:00.000Z', deadline: '2025-11-30T21:00:00.000Z' });
    expect(apOf(after)?.status).toBe('met');
    const moved = after.timeline.filter((e: { kind: string }) => e.kind === 'detection-moved-earlier');
    expect(moved.map((e: { detail: Record<string, unknown> }) => e.detail)).toEqual([
      expect.objectContaining({ to: '2025-11-27T10:00:00.000Z', awarenessMoved: false, awarenessKept: 'reported' }),
    ]);
    const reg = await c.json(['register', '--format', 'json'], '2025-11-30T20:45:00Z');
    const row = (reg.incidents ?? reg).find((r: { incidentId: string }) => r.incidentId === c.id);
    expect(row.apInitialStatus).toBe('met');

    const messages = (await c.cli(['messages', c.id], '2025-11-30T20:45:00Z')).stdout;
    expect(messages).toContain('Eerdere detectie');
    expect(messages).toContain('2025-11-27 11:00 CET (2025-11-27T10:00:00Z)');
    expect(messages).toContain('De bewustwording (2025-11-27 22:00 CET (2025-11-27T21:00:00Z)) en de AP-termijn blijven');
  });

  it('keeps the awareness once personal data is assessed affected, before any report', async () => {
    c = await openCase();
    await c.json(['assess', c.id, '--personal-data', 'unknown', '--risk', 'risk', '--reason', 'onderzoek', '--by', 'FG'], '2025-11-28T10:00:00Z');
    await deliverEarlier('2025-11-28T11:00:00Z');
    const after = await c.json(['show', c.id], '2025-11-28T11:05:00Z');
    expect(after).toMatchObject({ detectedAt: '2025-11-27T10:00:00.000Z', awareAt: '2025-11-27T21:00:00.000Z', deadline: '2025-11-30T21:00:00.000Z' });
    expect(after.timeline.find((e: { kind: string }) => e.kind === 'detection-moved-earlier').detail).toMatchObject({ awarenessKept: 'assessed' });
  });

  it('moves the default awareness and the deadline before the FG acted on it, and tells the FG the deadline moved', async () => {
    c = await openCase();
    await deliverEarlier('2025-11-28T11:00:00Z');
    const after = await c.json(['show', c.id], '2025-11-28T11:05:00Z');
    expect(after).toMatchObject({ detectedAt: '2025-11-27T10:00:00.000Z', awareAt: '2025-11-27T10:00:00.000Z', deadline: '2025-11-30T10:00:00.000Z' });
    const messages = (await c.cli(['messages', c.id], '2025-11-28T11:05:00Z')).stdout;
    expect(messages).toContain('De AP-termijn is vervroegd naar 2025-11-30 11:00 CET (2025-11-30T10:00:00Z)');
  });
});
