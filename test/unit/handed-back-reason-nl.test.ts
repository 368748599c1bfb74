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
// As release.ts writes it, for an enforced action and for one the policy only plans.
const enforced = `not carried out: it was left to incident ${closed}, which held this resource and was closed without containing it; this incident's next containment run carries it out (datalek contain ${own})`;
const planned = `not carried out: it was left to incident ${closed}, which held this resource and was closed without containing it; datalek contain ${own} --enforce carries it out`;

describe('the reason of an action handed back by a closed incident, in Dutch', () => {
  it('says an enforced action is carried out by the next run', () => {
    expect(actionReasonLabel('nl', enforced)).toBe(
      `niet uitgevoerd: overgelaten aan incident ${closed}, dat deze resource vasthield en gesloten werd zonder haar in te perken; de volgende inperkingsronde van dit incident voert het uit (datalek contain ${own})`,
    );
  });
  it('says a planned action is carried out with --enforce', () => {
    expect(actionReasonLabel('nl', planned)).toBe(
      `niet uitgevoerd: overgelaten aan incident ${closed}, dat deze resource vasthield en gesloten werd zonder haar in te perken; datalek contain ${own} --enforce voert het uit`,
    );
  });
  it('keeps the English reason as it is', () => {
    expect(actionReasonLabel('en', planned)).toBe(planned);
  });
});

describe('the reason of an action left to a holder whose containment of it failed, in Dutch', () => {
  const when = '2026-11-27T22:10:00.000Z';
  it('names the holder, the time and the command, nothing left quoted in English', () => {
    expect(actionReasonLabel('nl', failedAtHolderReason(closed, when, []))).toBe(
      `overgelaten aan incident ${closed}, dat deze resource in behandeling nam en waarvan de inperking mislukte op ${when}: NIET INGEPERKT, niets wat datalek vastlegt perkt haar in; datalek contain ${closed} --by NAAM --reason TEKST voert het daar opnieuw uit (datalek show ${closed} zegt waarom het mislukte)`,
    );
  });
  it('names the interfaces it is reachable through when the holder cut others', () => {
    const nl = actionReasonLabel('nl', failedAtHolderReason(closed, when, ['eni-b', 'eni-c']));
    expect(nl).toContain('NIET INGEPERKT, bereikbaar via eni-b, eni-c, die het niet wist te isoleren;');
    expect(nl).toContain(`datalek contain ${closed} --by NAAM`);
  });
});
