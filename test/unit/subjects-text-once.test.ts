/**
 * fg15 item 4 (last stop's "Still left", FG): the text sent to the data subjects (Art. 34) was
 * stored twice in the record, in the decision in force (`subjects.text`) and in its history entry
 * (`decisions[]`), up to 8,000 characters each, beside its whole text on the timeline: a record's
 * room for people's text (commit-bounds.ts) and a DynamoDB item's 400 KB took it twice. The record
 * now stores it once, in the history entry, which is never overwritten, and reading the record back
 * gives it to the decision again, as the assessment's reason is (stored-record.ts, e9a5ee6): every
 * reader (the AP draft, the register, the HTML report, show, the page) gets it as before, and a
 * record from before (the text in both) reads and verifies as it did.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { assess, decideSubjects, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { appendEntries, type Incident } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const TEXT = 'Beste klant, op 27 november kreeg een onbevoegde toegang tot uw e-mailadres. Wijzig uw wachtwoord.';
const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('fg15 item 4: the text told to the data subjects is stored once', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-told';
  const now = '2026-11-28T12:00:00.000Z';
  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden en e-mailadressen', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  /** What every reader shows of the decision: each must give the text. */
  async function readers(incident: Incident) {
    const timeline = await t.store.getTimeline(id);
    return {
      draft: draftMarkdown(buildDraft(incident, policy, now), policy.timeZone),
      register: registerRow(incident, policy, now).subjectsText,
      report: reportHtml(incident, timeline, policy, now),
      show: showText(incident, timeline, policy, now),
    };
  }

  it('keeps the text once in the record, and every reader gives it', async () => {
    await decideSubjects(deps, {
      incidentId: id,
      decision: 'inform',
      date: '2026-11-28T11:00:00Z',
      channel: 'e-mail',
      text: TEXT,
      reason: 'hoog risico',
      by: 'FG',
    });
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(occurrences(storedText.incident(incident), TEXT)).toBe(1);
    expect(incident.subjects?.text).toBe(TEXT);
    const read = await readers(incident);
    expect(read.draft).toContain('Wijzig uw wachtwoord');
    expect(read.register).toBe(TEXT);
    expect(read.report).toContain('Wijzig uw wachtwoord');
    expect(read.show).toContain(`told           "${TEXT}"`);
    expect(verifyOk(await verifyStore(t.store, { now }))).toBe(true);
  });

  it('reads a record from before, with the text in the decision and in its history entry, as it did', async () => {
    const current = (await t.store.getIncident(id)) as Incident;
    const decision = {
      decision: 'inform' as const,
      date: '2026-11-28T11:00:00.000Z',
      channel: 'e-mail',
      exception: null,
      text: TEXT,
      reason: 'hoog risico',
      by: 'FG',
      at: now,
    };
    const old = {
      ...current,
      revision: current.revision + 1,
      subjects: decision,
      decisions: [...(current.decisions ?? []), { kind: 'subjects' as const, ...decision, recordedAt: now }],
    };
    // With the entry the pipeline wrote beside it then (verify holds the decision to it).
    const timeline = appendEntries(old, [{ at: now, kind: 'subjects-decided', actor: 'FG', detail: { ...decision } }]);
    await t.store.commit({ incident: old, expectedRevision: current.revision, timeline, messages: [] });
    const read = await readers((await t.store.getIncident(id)) as Incident);
    expect(verifyOk(await verifyStore(t.store, { now }))).toBe(true);
    expect(read.register).toBe(TEXT);
    expect(occurrences(read.show, TEXT)).toBe(1);
    expect(read.report).toContain('Wijzig uw wachtwoord');
  });
});
