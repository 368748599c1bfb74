/**
 * An action handed back when the incident it was left to is closed without containing it
 * (release.ts, review6 R5) carries the reason "not carried out: it was left to incident …". The
 * Dutch page showed it as `toelichting (Engels): "…"`, the way a reason without a label shows; it
 * now reads in Dutch, naming both incidents and the command, for an enforced and a planned action.
 * (contain-one-holder.test.ts checks the reason the real hand-back writes reads in Dutch too.)
 */
import { describe, expect, it } from 'vitest';
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
