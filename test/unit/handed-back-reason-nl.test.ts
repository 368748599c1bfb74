/**
 * An action handed back when the incident it was left to is closed without containing it
 * (release.ts, review6 R5) carries the reason "not carried out: it was left to incident …". The
 * Dutch page showed it as `toelichting (Engels): "…"`, the way a reason without a label shows; it
 * now reads in Dutch, naming both incidents and the command, for an enforced and a planned action.
 * (contain-one-holder.test.ts checks the reason the real hand-back writes reads in Dutch too.)
 * read12c C5: the same for the reason the sweep writes on an action left to a holder whose
 * containment of it failed (containment.ts failedAtHolderReason), with and without interfaces open.
 */
import { describe, expect, it } from 'vitest';
import { failedAtHolderReason } from '../../handlers/core/containment.js';
import { actionReasonLabel } from '../../handlers/core/labels.js';

const closed = 'dl-first';
const own = 'dl-second';
// As release.ts writes it, for an enforced action and for one the policy only plans: the command in full since rel28 item 4.
const left = `not carried out: it was left to incident ${closed}, which held this resource and was closed without containing it;`;
const enforced = `${left} this incident's next containment run carries it out (datalek contain ${own} --by NAME --reason TEXT --target aws)`;
const planned = `${left} datalek contain ${own} --enforce --by NAME --reason TEXT --target aws carries it out`;
// As a record written before that holds it: the command without the flags it needs.
const enforcedBefore = `${left} this incident's next containment run carries it out (datalek contain ${own})`;
const plannedBefore = `${left} datalek contain ${own} --enforce carries it out`;

describe('the reason of an action handed back by a closed incident, in Dutch', () => {
  const nl = `niet uitgevoerd: overgelaten aan incident ${closed}, dat deze resource vasthield en gesloten werd zonder haar in te perken;`;
  it('says an enforced action is carried out by the next run, with the command in full', () => {
    for (const reason of [enforced, enforcedBefore])
      expect(actionReasonLabel('nl', reason)).toBe(
        `${nl} de volgende inperkingsronde van dit incident voert het uit (datalek contain ${own} --by NAAM --reason TEKST --target aws)`,
      );
  });
  it('says a planned action is carried out with --enforce, with the command in full', () => {
    for (const reason of [planned, plannedBefore])
      expect(actionReasonLabel('nl', reason)).toBe(`${nl} datalek contain ${own} --enforce --by NAAM --reason TEKST --target aws voert het uit`);
  });
  it('keeps the English reason as it is', () => {
    expect(actionReasonLabel('en', planned)).toBe(planned);
  });
});

describe('the reason of an action handed back by the release of the incident that held it, in Dutch (rel28 item 4)', () => {
  it('names the incident, its reason and the command in full', () => {
    for (const command of [`datalek contain ${own} --enforce --by NAME --reason TEXT --target aws`, `datalek contain ${own} --enforce`])
      expect(actionReasonLabel('nl', `not contained: incident ${closed}, which held it, released it (vals positief); ${command} carries it out`)).toBe(
        `niet ingeperkt: incident ${closed}, dat haar vasthield, heeft haar opgeheven (vals positief); datalek contain ${own} --enforce --by NAAM --reason TEKST --target aws voert haar uit`,
      );
  });
});

describe('the reason of an action left to a holder whose containment of it failed, in Dutch', () => {
  const when = '2026-11-27T22:10:00.000Z';
  it('names the holder, the time and the command, nothing left quoted in English', () => {
    expect(actionReasonLabel('nl', failedAtHolderReason(closed, when, []))).toBe(
      `overgelaten aan incident ${closed}, dat deze resource in behandeling nam en waarvan de inperking mislukte op ${when}: NIET INGEPERKT, niets wat datalek vastlegt perkt haar in; datalek contain ${closed} --by NAAM --reason TEKST --target aws voert het daar opnieuw uit (datalek show ${closed} zegt waarom het mislukte)`,
    );
  });
  it('names the interfaces it is reachable through when the holder cut others', () => {
    const nl = actionReasonLabel('nl', failedAtHolderReason(closed, when, ['eni-b', 'eni-c']));
    expect(nl).toContain('NIET INGEPERKT, bereikbaar via eni-b, eni-c, die het niet wist te isoleren;');
    expect(nl).toContain(`datalek contain ${closed} --by NAAM`);
  });
});
