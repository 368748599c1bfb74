/**
 * review3 F3: the HTML report (the FG's copy to keep) showed a fact corrected after closing as
 * "Feiten vastgelegd: aantal records, reason, afterClose", and neither the reason nor that it came
 * after closing; an after-closing follow-up to the AP showed no reason either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCase } from '../support/fg-case.js';

const FACTS = ['--nature', 'confidentiality', '--categories', 'naam', '--special', 'none', '--subjects', '10-20', '--records', '15'];

describe('the HTML report of entries made after closing', () => {
  it('names the facts corrected, says after closing and gives the reason', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    const later = '2025-11-28T10:00:00Z';
    for (const args of [
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata'],
      ['reported', c.id, '--reference', 'M-1'],
      ['facts', c.id, ...FACTS, '--consequences', 'x', '--measures-taken', 'y'],
      ['close', c.id, '--reason', 'klaar', '--follow-up-reason', 'de aanvulling ging per brief naar de AP'],
    ])
      expect((await c.cli([...args, '--by', 'FG'], at)).code).toBe(0);
    expect((await c.cli(['facts', c.id, '--records', '5000', '--reason', 'AP vroeg; meer records', '--by', 'FG'], later)).code).toBe(0);
    expect((await c.cli(['reported', c.id, '--reference', 'M-1', '--kind', 'follow-up', '--reason', 'aanvulling na vraag AP', '--by', 'FG'], later)).code).toBe(
      0,
    );

    const file = join(c.dir, 'report.html');
    expect((await c.cli(['report', c.id, '--html', file], later)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('Feiten vastgelegd: aantal records; na het sluiten: AP vroeg; meer records');
    expect(html).not.toMatch(/reason, afterClose|afterClose/);
    expect(html).toContain('na het sluiten: aanvulling na vraag AP');
  });
});
