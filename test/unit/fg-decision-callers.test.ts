/**
 * fgrole (session 27) item 4: the register and the HTML report did not say which AWS identity
 * recorded the FG's decisions (TimelineEntry.caller, on every entry of a `--target aws` run), so
 * an FG defending the record to the AP had to go to `show`. They name it as the role and account it
 * is a session of: the session's own name (often a person's e-mail address) is left out, as the
 * actor (`--by`) names the person.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { fgDecisionsRecordedAs, registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { incidentFixture } from '../support/incidents.js';

const FG = 'arn:aws:sts::123456789012:assumed-role/datalek-fg/alice@example.nl';
const ON_CALL = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/bob@example.nl';
const NOW = '2026-11-28T12:00:00.000Z';
const entry = (seq: number, kind: string, caller?: string) => ({
  incidentId: 'dl-test',
  seq,
  at: `2026-11-28T0${seq}:00:00.000Z`,
  kind,
  actor: seq === 1 ? 'system' : 'A. de Vries',
  ...(caller ? { caller } : {}),
  detail: {},
  hash: `h${seq}`,
  prevHash: `h${seq - 1}`,
});
const TIMELINE = [entry(1, 'incident-opened'), entry(2, 'acknowledged', ON_CALL), entry(3, 'assessed', FG), entry(4, 'reported', ON_CALL)];

describe("who recorded the FG's decisions, in the register and the HTML report", () => {
  it("gives each FG decision's role and account in the register, the session's name left out", () => {
    const said = fgDecisionsRecordedAs(TIMELINE);
    expect(said).toBe(
      'assessed 2026-11-28T03:00:00.000Z as role datalek-fg of account 123456789012; reported 2026-11-28T04:00:00.000Z as role datalek-on-call of account 123456789012',
    );
    expect(said).not.toContain('alice');
    const row = registerRow(incidentFixture(), DEFAULT_POLICY, NOW, [], TIMELINE);
    expect(row.fgDecisionsRecordedAs).toBe(said);
    expect(registerCsv([row]).split('\n')[0].split(',').at(-1)).toBe('fgDecisionsRecordedAs');
    // The embedded store names no caller: nothing to say.
    expect(fgDecisionsRecordedAs([entry(3, 'assessed')])).toBeNull();
  });

  it('names the role and account beside the actor of each entry in the report', () => {
    const html = reportHtml(incidentFixture(), TIMELINE, DEFAULT_POLICY, NOW, 'nl');
    expect(html).toContain('A. de Vries (als rol datalek-fg van account 123456789012)');
    expect(html).toContain('A. de Vries (als rol datalek-on-call van account 123456789012)');
    expect(html).not.toContain('alice@example.nl');
    expect(reportHtml(incidentFixture(), TIMELINE, DEFAULT_POLICY, NOW, 'en')).toContain('A. de Vries (as role datalek-fg of account 123456789012)');
  });

  it('gives them in the Markdown register, in its language, in a column only where an entry names its caller', () => {
    const incident = incidentFixture();
    const nl = registerMarkdown(
      [incident],
      DEFAULT_POLICY,
      NOW,
      'nl',
      () => [],
      () => TIMELINE,
    );
    const [header, , line] = nl.split('\n');
    expect(header).toMatch(/\| Vastgelegd als \(besluiten van de FG\) \|$/);
    expect(line).toContain('beoordeling ');
    expect(line).toContain('als rol datalek-fg van account 123456789012');
    expect(line).not.toContain('alice');
    const en = registerMarkdown(
      [incident],
      DEFAULT_POLICY,
      NOW,
      'en',
      () => [],
      () => TIMELINE,
    );
    expect(en.split('\n')[0]).toMatch(/\| Recorded as \(the FG's decisions\) \|$/);
    expect(en).toContain('as role datalek-on-call of account 123456789012');
    // The embedded store names no caller: the register is as it was.
    expect(
      registerMarkdown(
        [incident],
        DEFAULT_POLICY,
        NOW,
        'nl',
        () => [],
        () => [entry(3, 'assessed')],
      ),
    ).toBe(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'nl'));
  });
});
