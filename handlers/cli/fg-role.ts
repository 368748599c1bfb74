/**
 * Whose decisions the FG's are on AWS: the assessment (Art. 33(1)), the reports to the AP (Art. 33),
 * the decision on the people affected (Art. 34) and closing are recorded on `--target aws` only by a
 * session of the FG's role (the CDK app's `fgRole`, `datalek-fg` by default; `DATALEK_FG_ROLE` names
 * another). The incidents table lets on-call's role write the same items (its acknowledgements and
 * containment change the same incident record), so IAM cannot keep on-call from writing the FG's
 * decision: the CLI refuses it, and every entry names the caller that wrote it (TimelineEntry.caller),
 * so a decision written past the CLI shows whose credentials wrote it.
 */
import { type PageWords, RefusedError } from '../core/errors.js';

/** The FG's role as the CDK app names it by default (infra/config.ts `fgRole`). */
export const DEFAULT_FG_ROLE = 'datalek-fg';

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

/** The role of an assumed-role session's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`), else null (an IAM user, root, a federated user). */
export function sessionRole(arn: string): string | null {
  return /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(arn)?.[1] ?? null;
}

/**
 * Refuses an FG decision (`what`, the command or the entry's kind; `words`, the decision in the page's
 * words, FG_DECISION_KINDS) written as `caller` when that is not a session of the FG's role. IAM
 * compares role names in ARNs case-sensitively, and so does this. `caller` null: the embedded store,
 * where nothing tells who a person is (the decision names `--by`).
 */
export function refuseUnlessFg(what: string, caller: string | null, env: NodeJS.ProcessEnv, words?: PageWords): void {
  if (caller === null) return;
  const fgRole = env.DATALEK_FG_ROLE || DEFAULT_FG_ROLE;
  if (sessionRole(caller) === fgRole) return;
  throw new RefusedError(
    `${what} is the FG's decision: on AWS it is recorded only as the FG's role ${fgRole} (DATALEK_FG_ROLE names another), and these credentials are ${caller}: nothing was recorded. Run it with a session of ${fgRole}`,
    {
      // The page (`serve --target aws`) names who serves it and who can, never a command or a variable.
      page: {
        nl: `Dit is een besluit van de FG (${words?.nl ?? what}): op AWS wordt het alleen vastgelegd met de rol van de FG, ${fgRole}, en deze pagina schrijft als ${caller}. Er is niets vastgelegd. Laat de FG het vastleggen op een pagina die met een sessie van ${fgRole} is gestart.`,
        en: `This is the FG's decision (${words?.en ?? what}): on AWS it is recorded only with the FG's role, ${fgRole}, and this page writes as ${caller}. Nothing was recorded. Have the FG record it on a page served with a session of ${fgRole}.`,
      },
    },
  );
}
