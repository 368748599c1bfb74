/**
 * Which timeline entries are the FG's decisions: on AWS recorded only by a session of the FG's role
 * (cli/fg-role.ts), and named with who recorded them in the register (core/register.ts).
 */
import type { PageWords } from './errors.js';

/**
 * The timeline entries of the FG's decisions (core/fg-workflow.ts): the assessment with what it
 * sets (awareness, role, NIS2 significance and its dates), a report to the AP or another recipient,
 * the Art. 34 and subscribers' decisions, closing and the no-follow-up after it. The facts
 * (`facts-recorded`) are not among them: on-call records the measures taken too.
 */
export const FG_DECISION_KINDS: ReadonlyMap<string, PageWords> = new Map([
  ['assessed', { nl: 'de beoordeling', en: 'the assessment' }],
  ['awareness-set', { nl: 'het moment van kennisname', en: 'the moment of awareness' }],
  ['role-set', { nl: 'de rol (verwerkingsverantwoordelijke of verwerker)', en: 'the role (controller or processor)' }],
  ['nis2-decided', { nl: 'het NIS2-besluit', en: 'the NIS2 decision' }],
  ['nis2-awareness-set', { nl: 'het moment van kennisname voor NIS2', en: 'the NIS2 moment of awareness' }],
  ['nis2-intermediate-requested', { nl: 'het verzoek om een NIS2-tussenrapport', en: 'the request for a NIS2 intermediate report' }],
  ['reported', { nl: 'een melding (aan de AP of een andere ontvanger)', en: 'a report (to the AP or another recipient)' }],
  ['subjects-decided', { nl: 'het besluit over het informeren van betrokkenen (art. 34)', en: 'the decision on informing the people affected (Art. 34)' }],
  ['subscribers-decided', { nl: 'het besluit over het informeren van abonnees', en: 'the decision on informing subscribers' }],
  ['closed', { nl: 'het afsluiten van het incident', en: 'closing the incident' }],
  ['no-follow-up', { nl: 'het besluit dat er geen vervolgmelding komt', en: 'the decision that no follow-up report comes' }],
]);
