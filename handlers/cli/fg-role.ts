/**
 * Whose decisions the FG's are on AWS: the assessment (Art. 33(1)), the reports to the AP (Art. 33),
 * the decision on the people affected (Art. 34) and closing are recorded on `--target aws` only by a
 * session of the FG's role of the register's own account. The incidents table lets on-call's role
 * write the same items (its acknowledgements and containment change the same incident record), so
 * IAM cannot keep on-call from writing the FG's decision: the CLI refuses it, and every entry names
 * the caller that wrote it (TimelineEntry.caller), so a decision written past the CLI shows whose
 * credentials wrote it.
 *
 * Which role is the FG's is the deployment's word, not the shell's (fgrole, session 27): the
 * incidents table carries it as its tag `datalek:fg-role` (the CDK app's `fgRole`, `setup`'s
 * `datalek-fg`), a tag the table's policy lets only the deployment and break-glass change
 * (infra/constructs/register-guard.ts). `DATALEK_FG_ROLE`, read before, let anyone name their own role.
 * The account is the table's, from its ARN (DescribeTable): the register is the table, and the
 * caller's own account (STS) is the very thing checked, so it cannot be the measure.
 */
import { FG_ROLE_TAG } from '../adapters/aws/table-schema.js';
import { type PageWords, RefusedError } from '../core/errors.js';
import { FG_DECISION_KINDS } from '../core/fg-decisions.js';
import { callerLabel } from '../core/labels.js';

export { FG_DECISION_KINDS, FG_ROLE_TAG };

/** The FG's role as the deployment names it: its name, and the account of the register (the incidents table's, `table`). */
export interface FgRole {
  role: string;
  account: string;
  table: string;
}

/** An IAM role's name, as infra/config.ts takes it (no path). A tag value holds no comma, so neither does this. */
const ROLE_NAME = /^[\w+=.@-]{1,64}$/;

/**
 * The deployment's FG role from the incidents table's ARN (DescribeTable) and tags
 * (ListTagsOfResource). A tag missing or holding no role's name refuses every FG decision: which
 * role may decide is not guessed.
 */
export function deploymentFgRole(tableArn: string, tags: readonly { Key?: string; Value?: string }[]): FgRole {
  const account = /^arn:[^:]+:dynamodb:[^:]+:(\d{12}):table\/[^/]+$/.exec(tableArn)?.[1];
  if (!account) throw new RefusedError(`the incidents table's ARN ${tableArn} is not a table ARN: the FG's role cannot be read from it, nothing was recorded`);
  const value = tags.find((t) => t.Key === FG_ROLE_TAG)?.Value;
  const fix = `deploy DatalekState of this release (it tags the table with the CDK app's fgRole), or run datalek setup --target aws on a sandbox; as break-glass, tag it by hand`;
  if (value === undefined)
    throw new RefusedError(
      `the incidents table ${tableArn} names no FG role (its tag ${FG_ROLE_TAG}): the FG's decisions are refused until it does. To fix: ${fix}`,
      {
        page: {
          nl: `De registertabel noemt de rol van de FG niet (tag ${FG_ROLE_TAG}): besluiten van de FG worden geweigerd tot de installatie die rol noemt. Er is niets vastgelegd.`,
          en: `The register's table does not name the FG's role (tag ${FG_ROLE_TAG}): the FG's decisions are refused until the deployment names it. Nothing was recorded.`,
        },
      },
    );
  if (!ROLE_NAME.test(value))
    throw new RefusedError(
      `the incidents table ${tableArn} names the FG's role as '${value}', but its tag ${FG_ROLE_TAG} is not a role's name (no path, no ARN): nothing was recorded. To fix: ${fix}`,
      {
        page: {
          nl: `De registertabel noemt de rol van de FG als '${value}', geen rolnaam (tag ${FG_ROLE_TAG}). Er is niets vastgelegd.`,
          en: `The register's table names the FG's role as '${value}', which is not a role's name (tag ${FG_ROLE_TAG}). Nothing was recorded.`,
        },
      },
    );
  return { role: value, account, table: tableArn };
}

/** The role of an assumed-role session's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`), else null (an IAM user, root, a federated user). */
export function sessionRole(arn: string): string | null {
  return /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(arn)?.[1] ?? null;
}

/** The account of a caller's ARN (`arn:PARTITION:SERVICE::ACCOUNT:…`), else null. */
export function callerAccount(arn: string): string | null {
  return /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)?.[1] ?? null;
}

/** Whether `caller` is a session of the FG's role of the register's account. IAM compares role names case-sensitively, and so does this. */
export function isFgSession(caller: string, fg: FgRole): boolean {
  return sessionRole(caller) === fg.role && callerAccount(caller) === fg.account;
}

/**
 * `read` once it succeeds, and read again after it fails: a throttled call, an expired token or a
 * missing dynamodb:ListTagsOfResource at start-up is not kept for the life of the process
 * (review27 finalA #4); the next decision or page asks again. `fresh` reads it anew whatever is
 * kept, and keeps what it reads: what records an FG decision asks it (aws-backend.ts
 * `callerStamped`), so a page started as the FG's role stops recording as the FG as soon as the
 * deployment names another role (fgr28 item 4), not when it is restarted; what only shows (the
 * page's forms, show, verify) takes the kept one.
 */
export function onceRead(read: () => Promise<FgRole>): (() => Promise<FgRole>) & { fresh: () => Promise<FgRole> } {
  let kept: Promise<FgRole> | undefined;
  const fresh = (): Promise<FgRole> => {
    const reading: Promise<FgRole> = read().catch((err: unknown) => {
      if (kept === reading) kept = undefined;
      throw err;
    });
    kept = reading;
    return reading;
  };
  return Object.assign(() => kept ?? fresh(), { fresh });
}

/**
 * What the page (`serve --target aws`) says of the FG's forms, asked on each request: undefined when
 * `caller` is a session of the FG's role; else `role`, the role the deployment names (null: it names
 * none), and `error`, the lookup's own failure (fgRoleUnread) when the role could not be read,
 * which is not a table naming no role.
 */
export async function pageFgState(caller: string, fgRole: () => Promise<FgRole>): Promise<{ role: string | null; error?: string } | undefined> {
  try {
    const fg = await fgRole();
    return isFgSession(caller, fg) ? undefined : { role: fg.role };
  } catch (err) {
    const error = fgRoleUnread(err);
    return error === null ? { role: null } : { role: null, error };
  }
}

/**
 * A failed lookup of the FG's role as a reader is told it: null when the table names no role (the
 * lookup's RefusedError, deploymentFgRole), else the error's kind and message, which is not that.
 * AWS's AccessDeniedException names the caller's ARN with its session's name (often a person's
 * e-mail address): left out here, as callerLabel leaves it out.
 */
export function fgRoleUnread(err: unknown): string | null {
  if (err instanceof RefusedError) return null;
  const e = err as Error;
  return sessionNamesLeftOut(`${e.name ?? 'Error'}: ${e.message}`);
}

/** `text` with each assumed-role session ARN's session name left out (`…/assumed-role/ROLE/(session name left out)`). */
export function sessionNamesLeftOut(text: string): string {
  return text.replace(/(arn:[\w-]+:sts::\d{12}:assumed-role\/[\w+=,.@-]+)\/[\w+=,.@-]+/g, '$1/(session name left out)');
}

/**
 * What `show` says when it could not check who recorded the FG's decisions (`err`, the lookup's
 * failure): a table naming no FG role, or the lookup's error (its kind, and the permissions it takes).
 * Not silent: an FG decision on-call recorded would otherwise read as the FG's.
 */
export function fgNotCheckedLine(err: unknown): string {
  const error = fgRoleUnread(err);
  const notChecked = "who recorded the FG's decisions was not checked";
  // The table naming none: its own refusal, which says how to name it.
  if (error === null) return `${notChecked}: ${(err as Error).message}`;
  return `${notChecked}: the FG's role could not be read from the incidents table (${error}). This is not a table naming no FG role: these credentials need dynamodb:DescribeTable and dynamodb:ListTagsOfResource on the table (the FG's and on-call's roles have them with datalek-on-call-read-containment, README); no decision is marked as not the FG's role's`;
}

/**
 * Refuses an FG decision (`what`, the command or the entry's kind; `words`, the decision in the page's
 * words, FG_DECISION_KINDS) written as `caller` when that is not a session of the FG's role of the
 * register's account (`fgRole`, the deployment's, read when first needed). `caller` null: the
 * embedded store, where nothing tells who a person is (the decision names `--by`).
 */
export async function refuseUnlessFg(what: string, caller: string | null, fgRole: (() => Promise<FgRole>) | null, words?: PageWords): Promise<void> {
  if (caller === null || fgRole === null) return;
  const fg = await fgRole();
  if (isFgSession(caller, fg)) return;
  const role = `${fg.role} of account ${fg.account}, the register's`;
  throw new RefusedError(
    `${what} is the FG's decision: on AWS it is recorded only as the FG's role ${role} (the deployment names it: the incidents table's tag ${FG_ROLE_TAG}), and these credentials are ${caller}: nothing was recorded. Run it with a session of ${fg.role}`,
    {
      // The page (`serve --target aws`) names who serves it and who can, never a command or a variable;
      // the caller by its role and account, not its session's name (a person's e-mail, on screens and screenshots).
      page: {
        nl: `Dit is een besluit van de FG (${words?.nl ?? what}): op AWS wordt het alleen vastgelegd met de rol van de FG, ${fg.role} in account ${fg.account}, en deze pagina schrijft als ${callerLabel('nl', caller)}. Er is niets vastgelegd. Laat de FG het vastleggen op een pagina die met een sessie van ${fg.role} is gestart.`,
        en: `This is the FG's decision (${words?.en ?? what}): on AWS it is recorded only with the FG's role, ${fg.role} of account ${fg.account}, and this page writes as ${callerLabel('en', caller)}. Nothing was recorded. Have the FG record it on a page served with a session of ${fg.role}.`,
      },
    },
  );
}

/** An FG decision's entry not recorded by a session of the FG's role: its caller another's, or none named. */
export interface DecisionNotByFg {
  incidentId: string;
  seq: number;
  kind: string;
  /** The caller it names; null: it names none (recorded before entries named their caller, or past the CLI). */
  caller: string | null;
}

/**
 * The FG decisions (FG_DECISION_KINDS) among `entries` of an AWS register that no session of the
 * FG's role recorded, as their `caller` says. The CLI refuses them since b2deeb8b; one recorded
 * before, while the deployment named another role, or written past the CLI stays in the record,
 * whose history is not rewritten: verify and show name it, so the FG can account for it.
 */
export function decisionsNotByFg(entries: readonly { incidentId: string; seq: number; kind: string; caller?: string }[], fg: FgRole | null): DecisionNotByFg[] {
  if (fg === null) return [];
  return entries
    .filter((e) => FG_DECISION_KINDS.has(e.kind) && !(e.caller !== undefined && isFgSession(e.caller, fg)))
    .map((e) => ({ incidentId: e.incidentId, seq: e.seq, kind: e.kind, caller: e.caller ?? null }));
}

/**
 * A decision not by the FG's role as verify reports it (its line and --json): the caller as the
 * register names it (labels.ts `callerLabel`), its role and account, the session's own name (often a
 * person's e-mail address) left out. `show` of the one incident keeps the full ARN beside the entry.
 */
export function reportedNotByFg(d: DecisionNotByFg): DecisionNotByFg {
  return { ...d, caller: d.caller === null ? null : callerLabel('en', d.caller) };
}

/** A decision not by the FG's role, as verify names it (one line): the caller without its session's name. */
export function decisionNotByFgLine(d: DecisionNotByFg, fg: FgRole): string {
  const who = d.caller === null ? 'naming no caller' : `recorded as ${callerLabel('en', d.caller)}`;
  return `FG DECISION NOT BY THE FG'S ROLE: incident ${d.incidentId}, entry ${d.seq} (${d.kind}) ${who}, not a session of ${fg.role} of account ${fg.account}: recorded before the CLI refused it, while the deployment named another FG role, or written past the CLI (CloudTrail's data events on the table tell who). The FG accounts for it; the record is not changed`;
}
