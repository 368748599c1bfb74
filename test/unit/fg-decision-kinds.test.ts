/**
 * sec (session 26): on AWS the store refuses an FG decision from any caller but the FG's role by the
 * kinds of the entries a commit appends (handlers/cli/fg-role.ts FG_DECISION_KINDS, the page's
 * check). Each of the FG's decisions must append at least one entry of those kinds, or the page
 * would record it from on-call's role: a kind the workflow renames or adds fails here.
 */
import { describe, expect, it } from 'vitest';
import { FG_DECISION_KINDS } from '../../handlers/cli/fg-role.js';
import { type FgCase, informArgs, openCase } from '../support/fg-case.js';

describe("the FG's decisions, by the kinds of entries they append", () => {
  it('appends an entry of an FG decision kind for each decision the FG records', async () => {
    const c = await openCase();
    const d = await openCase();
    const steps: [FgCase, string[], string][] = [
      [c, ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantgegevens', '--by', 'FG'], '2025-11-28T08:00:00Z'],
      [c, ['assess', c.id, '--aware-at', '2025-11-27T22:00:00Z', '--aware-reason', 'eerder bekend', '--by', 'FG'], '2025-11-28T08:10:00Z'],
      [c, ['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T09:00:00Z'],
      [c, [...informArgs(c.id, '2025-11-28T10:00:00Z', 'e-mail'), '--reason', 'hoog risico', '--by', 'FG'], '2025-11-28T10:30:00Z'],
      [d, ['assess', d.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testomgeving', '--by', 'FG'], '2025-11-28T08:00:00Z'],
      [d, ['close', d.id, '--reason', 'afgehandeld', '--by', 'FG'], '2025-11-29T10:00:00Z'],
    ];
    for (const [k, args, now] of steps) {
      const before = (await k.json(['show', k.id], now)).timeline.length;
      const r = await k.cli(args, now);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      const added: { kind: string }[] = (await k.json(['show', k.id], now)).timeline.slice(before);
      expect(
        added.filter((e) => FG_DECISION_KINDS.has(e.kind)),
        `${args[0]} appended ${added.map((e) => e.kind).join(', ')}`,
      ).not.toEqual([]);
    }
  });
});
