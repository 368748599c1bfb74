/**
 * Review 9 (fgsec10), S5: `datalek minimise` counts the retention period from the closing alone
 * (minimise.ts keptBecause: `holder.closedAt > cutoff`). What is recorded after closing (Art.
 * 33(4): corrected facts, a follow-up or correction to the AP, an Art. 34 decision the AP asked
 * for) is exactly the sign that the AP, a complaint or a claim is looking at the breach now
 * (README "Why 180 days": "the AP's questions on a notification ... can come months later",
 * "an objection or complaint"), yet the monthly cron run in the FG's name removes the raw
 * finding two days after the FG answered the AP. There is no per-incident hold either: only the
 * policy-wide period or a run's --after-days, which a cron job does not know about.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enteredAtNow, jsonLines } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('S: minimise right after the FG recorded an answer to the AP on a closed incident', () => {
  it('keeps the raw finding while something recorded after closing is recent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-min-'));
    const store = join(dir, 'store');
    const cli = (args: string[], now: string) => enteredAtNow([...args, '--store', store, '--now', now]);
    const file = join(dir, 'finding.json');
    writeFileSync(
      file,
      JSON.stringify(
        findingEvent({
          id: 'f-jan',
          createdAt: '2026-01-09T22:00:00Z',
          updatedAt: '2026-01-09T22:00:00Z',
          service: { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.7' } } } },
        }),
      ),
    );
    const id = jsonLines((await cli(['replay', file, '--json'], '2026-01-10T00:00:00Z')).stdout)[0].incidentId as string;
    expect(
      (
        await cli(
          ['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'Geen persoonsgegevens op deze server', '--by', 'FG'],
          '2026-01-10T02:00:00Z',
        )
      ).code,
    ).toBe(0);
    expect((await cli(['close', id, '--reason', 'Afgehandeld', '--by', 'FG'], '2026-01-10T03:00:00Z')).code).toBe(0);
    // 179 days after closing: the AP asks after a complaint; the FG corrects the facts (Art. 33(4)).
    const corrected = await cli(
      ['facts', id, '--cause', 'Nader onderzocht na een klacht', '--reason', 'Vraag van de AP na een klacht', '--by', 'FG'],
      '2026-07-08T03:00:00Z',
    );
    expect(corrected.code).toBe(0);

    // Two days later the monthly run: on main it removes the caller's address the AP is asking about.
    const run = await cli(['minimise', '--by', 'FG', '--json'], '2026-07-10T03:00:00Z');
    const shown = JSON.parse((await cli(['show', id, '--json'], '2026-07-10T04:00:00Z')).stdout);
    expect({ code: run.code, minimised: shown.minimised ?? shown.findingsMinimised ?? null }).toEqual({ code: 0, minimised: null });
    // Named, it is refused with why: the period counts from what was recorded after closing.
    const named = await cli(['minimise', id, '--by', 'FG'], '2026-07-10T03:00:00Z');
    expect(named.code).not.toBe(0);
    expect(named.stderr).toMatch(
      /recorded after closing at 2026-07-08 05:00 CEST \(2026-07-08T03:00:00.000Z\).*kept until 2027-01-04 04:00 CET \(2027-01-04T03:00:00.000Z\)/,
    );
    // A run with a period that has passed since then minimises it (140 days after 8 July; 323 after closing).
    expect((await cli(['minimise', '--by', 'FG', '--after-days', '150'], '2026-11-29T03:00:00Z')).code).toBe(0);
    expect(JSON.parse((await cli(['show', id, '--json'], '2026-11-29T04:00:00Z')).stdout).minimised ?? null).toBeNull();
    expect((await cli(['minimise', '--by', 'FG', '--after-days', '140'], '2026-11-29T03:00:00Z')).code).toBe(0);
    const later = JSON.parse((await cli(['show', id, '--json'], '2026-11-29T04:00:00Z')).stdout);
    expect(later.minimised).toMatchObject({ findings: 1 });
  });

  it('keeps the findings of an incident the FG holds, until the hold is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg10-hold-'));
    const store = join(dir, 'store');
    const cli = (args: string[], now: string) => enteredAtNow([...args, '--store', store, '--now', now]);
    const file = join(dir, 'finding.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'f-held', createdAt: '2026-01-09T22:00:00Z', updatedAt: '2026-01-09T22:00:00Z' })));
    const id = jsonLines((await cli(['replay', file, '--json'], '2026-01-10T00:00:00Z')).stdout)[0].incidentId as string;
    await cli(['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'Geen persoonsgegevens', '--by', 'FG'], '2026-01-10T02:00:00Z');
    expect((await cli(['close', id, '--reason', 'Afgehandeld', '--by', 'FG'], '2026-01-10T03:00:00Z')).code).toBe(0);
    expect((await cli(['minimise', id, '--hold', '--by', 'FG'], '2026-06-01T00:00:00Z')).stderr).toMatch(/--hold needs --reason/);
    const held = await cli(['minimise', id, '--hold', '--reason', 'Schadeclaim van een klant loopt', '--by', 'FG', '--json'], '2026-06-01T00:00:00Z');
    expect(held.code, held.stderr).toBe(0);
    expect(JSON.parse(held.stdout).retentionHold).toMatchObject({ by: 'FG', reason: 'Schadeclaim van een klant loopt' });

    // The monthly run, 323 days after closing: the hold keeps them; named, it says why.
    expect((await cli(['minimise', '--by', 'FG'], '2026-11-29T03:00:00Z')).code).toBe(0);
    expect(JSON.parse((await cli(['show', id, '--json'], '2026-11-29T04:00:00Z')).stdout).minimised ?? null).toBeNull();
    expect((await cli(['minimise', id, '--by', 'FG'], '2026-11-29T03:00:00Z')).stderr).toMatch(/held by FG .*Schadeclaim van een klant loopt/);

    expect((await cli(['minimise', id, '--release-hold', '--reason', 'klacht afgehandeld', '--by', 'FG'], '2026-11-29T05:00:00Z')).code).toBe(0);
    expect((await cli(['minimise', '--by', 'FG'], '2026-11-29T06:00:00Z')).code).toBe(0);
    expect(JSON.parse((await cli(['show', id, '--json'], '2026-11-29T07:00:00Z')).stdout).minimised).toMatchObject({ findings: 1 });
  });
});
