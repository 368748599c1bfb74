/**
 * A member account's watched calls, paged within a bound (deploy20). The central watch rules page
 * each call they match (infra/constructs/pipeline-watch.ts and its siblings); for the pipeline
 * account's own calls they still do, straight to the alarm topic, whatever their number: a storm
 * there is an attack on the pipeline and must page. A member account's calls reach the same rules
 * through its forwarding rules, and anyone holding a member account could make them in a loop: every
 * one a page, the real page drowned, each page paid for. Their twins (`<rule>-members`) send them to
 * the member-pages function instead, which pages per member account and rule:
 * 1. each call is recorded (its CloudTrail event id, once, whatever EventBridge retries);
 * 2. the first `limit` calls of a window page as the rule's own page reads, each with the bound said;
 * 3. the next one pages a summary (how many so far, where they are recorded, when pages resume);
 * 4. the rest, until the window turns, are recorded and counted, not paged, but for the first call of
 *    each event name that no page of the window named, which pages once (noise of harmless calls
 *    cannot make the call it hides unseen); the first page of the next window says how many the
 *    window before held back.
 * A caller is named by its type and its session's role, as the rules' own pages name it
 * (page-caller.ts), but never by an IAM user's ARN: a `FederatedUser` session's issuer is the IAM user
 * that made it, whose ARN is their name (the rules' input transformers could not leave it out for that
 * type alone; this function can).
 */
import { DatalekError } from './errors.js';

/** Where the page text a twin rule renders (the rule's own, by EventBridge) has its caller: this function names it. */
export const CALLER_MARK = '{{caller}}';

/** How long a window's record (its calls' event ids) is kept after the window: the watch queue's 14 days. */
export const RECORD_DAYS = 14;

/** A twin rule's input that is not what the member-pages function takes; `path` names the field. */
export class InvalidMemberCallError extends DatalekError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A member account's watched call, as the function reads it from its twin rule's input (identifiers only). */
export interface MemberCall {
  /** The watch rule whose page this is (`datalek-watch-…`), not its twin's name. */
  rule: string;
  /** The rule's page as EventBridge rendered it, with CALLER_MARK where the caller goes. */
  page: string;
  /** CloudTrail's event id: the same for every delivery of the call (EventBridge's retries, a forward repeated). */
  eventId: string;
  eventName: string;
  account: string;
  /** When the call was made (the event's `time`): the window it counts in, the same at every retry. */
  time: string;
  caller: MemberCaller;
}

export interface MemberCaller {
  /** `AssumedRole`, `IAMUser`, `FederatedUser`, `Root`, `AWSService`, … */
  type: string;
  /** The account of the identity (CloudTrail's `userIdentity.accountId`), else the event's. */
  account: string;
  /** The role an assumed role's session came from (its ARN); none for any other identity. */
  role?: string;
}

/** The twin rule's input template's shape: `{ rule, page, event }`, the event whole (`<aws.events.event.json>`). */
export function parseMemberCall(input: unknown): MemberCall {
  const object = (value: unknown, path: string): Record<string, unknown> => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidMemberCallError(path, 'expected an object');
    return value as Record<string, unknown>;
  };
  const text = (value: unknown, path: string, shape?: RegExp, what?: string): string => {
    if (typeof value !== 'string' || !value) throw new InvalidMemberCallError(path, 'expected a non-empty string');
    if (shape && !shape.test(value)) throw new InvalidMemberCallError(path, `expected ${what}`);
    return value;
  };
  const root = object(input, '(input)');
  const rule = text(root.rule, 'rule', /^datalek-watch-[a-z-]+$/, 'a datalek-watch-… rule name');
  const page = text(root.page, 'page');
  if (!page.includes(CALLER_MARK)) throw new InvalidMemberCallError('page', `expected the page text with ${CALLER_MARK} where its caller goes`);
  const event = object(root.event, 'event');
  const account = text(event.account, 'event.account', /^\d{12}$/, 'a 12-digit account id');
  const time = text(event.time, 'event.time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'an ISO 8601 UTC time');
  if (Number.isNaN(Date.parse(time))) throw new InvalidMemberCallError('event.time', 'expected an ISO 8601 UTC time');
  const detail = object(event.detail, 'event.detail');
  // CloudTrail's ids are UUIDs: held to a short plain shape, as they go into keys and pages.
  const eventId = text(detail.eventID, 'event.detail.eventID', /^[A-Za-z0-9-]{1,64}$/, 'a CloudTrail event id');
  const eventName = text(detail.eventName, 'event.detail.eventName', /^[A-Za-z0-9]{1,128}$/, 'a CloudTrail event name');
  const identity = object(detail.userIdentity, 'event.detail.userIdentity');
  const type = text(identity.type, 'event.detail.userIdentity.type', /^[A-Za-z]{1,64}$/, 'an identity type');
  const identityAccount = typeof identity.accountId === 'string' && /^\d{12}$/.test(identity.accountId) ? identity.accountId : account;
  const issuer =
    identity.sessionContext && typeof identity.sessionContext === 'object' ? (identity.sessionContext as Record<string, unknown>).sessionIssuer : undefined;
  const issuerFields = issuer && typeof issuer === 'object' ? (issuer as Record<string, unknown>) : {};
  // A role's ARN only: a federated user's issuer is an IAM user (`…:user/<name>`), never named.
  const role =
    issuerFields.type === 'Role' && typeof issuerFields.arn === 'string' && /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(issuerFields.arn)
      ? issuerFields.arn
      : undefined;
  return { rule, page, eventId, eventName, account, time, caller: { type, account: identityAccount, ...(role ? { role } : {}) } };
}

/** The caller as a member's page names it: by its type and its session's role, else by its type and account alone, and the CloudTrail event id. */
export function memberCallerText(call: Pick<MemberCall, 'caller' | 'eventId'>): string {
  const { caller } = call;
  const who = caller.role
    ? `a caller of type ${caller.type} (role: ${caller.role})`
    : `a caller of type ${caller.type} of account ${caller.account} (its name, and any IAM user's it came from, this message leaves out)`;
  return `${who}, CloudTrail event ${call.eventId}`;
}

/** The bound: at most `limit` pages per member account and rule in each window of `windowMinutes`, then one summary. */
export interface PageBound {
  limit: number;
  windowMinutes: number;
}

/** The window a call counts in: fixed, aligned windows of `windowMinutes` from the epoch (UTC). */
export function windowOf(time: string, windowMinutes: number): { start: string; end: string } {
  const size = windowMinutes * 60_000;
  const start = Math.floor(Date.parse(time) / size) * size;
  return { start: new Date(start).toISOString(), end: new Date(start + size).toISOString() };
}

/** The window before `start`. */
export function windowBefore(start: string, windowMinutes: number): string {
  return new Date(Date.parse(start) - windowMinutes * 60_000).toISOString();
}

/**
 * What became of a call: the n-th page of its window, the summary, paged past the summary as the
 * first call of its event name in the window that no page named (`name`), or held back (recorded,
 * not paged).
 */
export type MemberPageOutcome = { kind: 'page'; n: number } | { kind: 'summary' } | { kind: 'name' } | { kind: 'held' };

/** Where the calls are recorded, for on-call (the summary names it). */
export interface RecordPlace {
  table: string;
  /** The window's partition key in it. */
  key: string;
}

/**
 * The n-th page of a window: the rule's own page, with the caller named, and the bound said.
 * `before`: how many calls the window before held back (counted, not paged), when there were any.
 */
export function memberPageText(call: MemberCall, n: number, bound: PageBound, before?: { start: string; calls: number; held: number }): string {
  const window = windowOf(call.time, bound.windowMinutes);
  const page = call.page.split(CALLER_MARK).join(memberCallerText(call));
  const held = before
    ? ` In the window before (from ${before.start}), this rule matched ${before.calls} calls of this account: ${before.held} of them were not paged (see the summary page of that window).`
    : '';
  return `${page} [Member account ${call.account}: page ${n} of at most ${bound.limit} of ${call.rule} for this account from ${window.start} to ${window.end}; one more call pages a summary, and the rest until ${window.end} are recorded, not paged, but for the first of each event name no page named. A member's call waits in no queue of the pipeline account: look it up in that account's CloudTrail by its event id.]${held}`;
}

/**
 * A call past the summary whose event name no page of its window named: the rule's own page, with
 * the caller named, and why it pages. Whoever holds a member account could otherwise spend the
 * window's pages on harmless calls of a rule and make the call it wanted unseen after them.
 */
export function memberNamePageText(call: MemberCall, bound: PageBound): string {
  const window = windowOf(call.time, bound.windowMinutes);
  const page = call.page.split(CALLER_MARK).join(memberCallerText(call));
  return `${page} [Member account ${call.account}: past the summary of ${call.rule} for this account, but no page of this rule for this account since ${window.start} named ${call.eventName}: such a call pages once per event name until ${window.end}, when the rest are recorded, not paged. Calls before it may have been noise to hide it. Look it up in that account's CloudTrail by its event id.]`;
}

/** The summary page: the bound reached; how many calls so far, where each is recorded, when pages resume. */
export function memberSummaryText(call: MemberCall, calls: number, bound: PageBound, place: RecordPlace): string {
  const window = windowOf(call.time, bound.windowMinutes);
  return `datalek WATCH HELD BACK: member account ${call.account} made ${calls} calls since ${window.start} that ${call.rule} matched (this one: ${call.eventName}, CloudTrail event ${call.eventId}); ${bound.limit} were paged, and this call and every further one until ${window.end} are NOT paged, only recorded, but for the first of each event name no page named, which pages once: each one's CloudTrail event id, with its event name and whether it was paged, is kept ${RECORD_DAYS} days in the DynamoDB table ${place.table} under the key pk = ${place.key} (a call held back whose event name none of the pages named is what this storm may hide: look it up first). Pages of this rule for this account resume after ${window.end}, the first saying how many were held back. Such a storm of one account is that account's to investigate first: look its calls up in its CloudTrail (Event history, by the ids), treat the principal making them as possibly compromised, and watch for pages of other accounts and of the pipeline account, which are not held back (runbooks/on-call.md, Member accounts' pages held back).`;
}
