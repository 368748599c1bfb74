/**
 * The acknowledgement, as actions.ts declares every action a person takes (one use case each,
 * its inputs declared once), with the shape they share: in a module of its own, which the
 * ack-link function and its page (web/links.tsx) load without the FG's workflow and the other
 * actions (issue #14: a lean handler; the on-call engineer waits on its cold start).
 */
import { acknowledge } from '../core/acknowledge.js';
import type { ContainedDeps } from '../core/by-hand.js';
import type { FgDeps } from '../core/fg-workflow.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { FieldSpec, Text, Values } from './fields.js';

/** What an acknowledgement reports, however it was recorded. */
export interface AckOutcome {
  incidentId: string;
  /** False when someone had acknowledged it already: `acknowledgedBy` says who. */
  changed: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /**
   * True when it had been acknowledged already (`acknowledgedBy` says who) and this acknowledged
   * the alert the pager raised after that (core/acknowledge.ts pageAfterAcknowledgement).
   */
  alertAcknowledged?: boolean;
}

/**
 * Records an acknowledgement: in the store, or on AWS through the IAM-authorised acknowledgement
 * URL, where the acknowledger is the identity that signed the request and `by` is not sent.
 */
export type Acknowledger = (input: { incidentId: string; by: string; note?: string }) => Promise<AckOutcome>;

/** The acknowledgement recorded in the store itself, as `by`. */
export function acknowledgeInStore(deps: { store: IncidentStore; policy: Policy; now: () => string }): Acknowledger {
  return async (input) => {
    const { incident, changed, alertAcknowledged } = await acknowledge(deps, input);
    return {
      incidentId: incident.id,
      changed,
      acknowledgedBy: incident.acknowledgedBy,
      acknowledgedAt: incident.acknowledgedAt,
      ...(alertAcknowledged ? { alertAcknowledged } : {}),
    };
  };
}

/** Everything an action may need; each takes the part it uses. */
export interface ActionDeps extends FgDeps {
  /** Plan-only on the embedded store; on AWS it acts in the affected account. */
  containment: Containment;
  acknowledge: Acknowledger;
  /** On AWS, reads containment back as drift does (`contained --owner-key` checks a key against its user's keys); absent on the embedded store. */
  containmentReader?: ContainedDeps['containmentReader'];
}

/** Who acts on which incident: the CLI's `--by` (or the OS user), the web page's signed-in person. */
export interface Actor {
  incidentId: string;
  by: string;
}

export interface Action<Fs extends readonly FieldSpec[], I, R, D = ActionDeps> {
  /** The CLI command and the web route. */
  readonly name: string;
  readonly title: Text;
  readonly fields: Fs;
  /** The core use case's input; a rule across fields throws a `UsageError` naming the field. */
  input(values: Values<Fs>, actor: Actor): I;
  run(deps: D, input: I): Promise<R>;
  /** What the incident holds now, as values of the fields (a form starts from them). */
  current?(incident: Incident): Partial<Values<Fs>>;
  /**
   * Only the fields whose value differs from `current` are given (facts are recorded in phases: a
   * form that shows them all must not record the unchanged ones again as new).
   */
  readonly onlyChanged?: boolean;
  /** Fields given together: when one of a set is given, its partners are given with it. */
  readonly together?: readonly (readonly string[])[];
}

export function action<const Fs extends readonly FieldSpec[], I, R, D = ActionDeps>(a: Action<Fs, I, R, D>): Action<Fs, I, R, D> {
  return a;
}

export const ackAction = action({
  name: 'ack',
  title: { nl: 'Oppakken', en: 'Acknowledge' },
  fields: [
    {
      name: 'note',
      kind: 'text',
      label: { nl: 'Notitie (niet verplicht)', en: 'Note (optional)' },
      hint: { nl: 'Stopt de escalatie, niet de AP-termijn.', en: 'Stops the escalation, not the AP clock.' },
    },
  ] as const,
  input: (v, { incidentId, by }) => ({ incidentId, by, note: v.note?.trim() || undefined }),
  run: (deps, input) => deps.acknowledge(input),
});
