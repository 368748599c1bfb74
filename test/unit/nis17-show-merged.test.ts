/**
 * nis17 item 5, on the command line: `show` of an incident merged into another offered
 * `datalek assess ID --seen …`, which the merge refusal then rejects ("record this on X"), and said
 * nowhere but in the close reason where the breach went on. It now names the incident it was merged
 * into, with `datalek show X`, and offers no assess line.
 */
import { describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture, mergedIncidentFixture } from '../support/incidents.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

describe('nis17 item 5: show of a merged incident', () => {
  it('names where it was merged and offers no assess command', () => {
    const merged = mergedIncidentFixture('dl-merged', 'dl-survivor');
    const text = showText(merged, [], policy, '2026-11-28T10:00:00.000Z');
    expect(text).toContain(
      '  merged into    dl-survivor   (closed as merged: the breach, its clocks and what follows are recorded there: datalek show dl-survivor)',
    );
    // Before the fix: "seen … (datalek assess dl-merged --seen …)".
    expect(text).not.toContain('datalek assess dl-merged');
  });

  it('an incident not merged keeps its seen token and assess hint', () => {
    const text = showText(incidentFixture({ id: 'dl-open' }), [], policy, '2026-11-28T10:00:00.000Z');
    expect(text).toMatch(/ {2}seen {11}\S+ {3}\(datalek assess dl-open --seen /);
  });
});
