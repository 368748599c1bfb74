/**
 * The response policy as data: one zod schema, built-in defaults, and the file that overrides them.
 * The same policy drives the core and (through infra/) the EventBridge rules, so they cannot drift.
 *
 * A file sets only what it changes; every key it leaves out keeps its default. Unknown keys are
 * rejected (a typo must not silently fall back to a default), with the path of the bad value.
 */
import { readFileSync } from 'node:fs';
import { InvalidPolicyError } from './errors.js';
import { describeIssue, formatPath } from './finding.js';
import * as z from './zod.js';

const severity = z.number().check(z.gte(0), z.lte(10));

/**
 * What a rule asks for; each resolves, per finding, into actions on the resources it names:
 * - `contain-workload`: the compute that ran it: an EC2 instance is isolated, an ECS task's network
 *   interface is isolated, an EKS finding's worker nodes are isolated (and a person handles the
 *   Kubernetes side), a Lambda function is stopped and its public URL closed;
 * - `isolate-instance`: only an EC2 instance the finding names (kept for older policy files);
 * - `disable-credentials`: a long-term key is deactivated, an IAM user's or a role's older sessions
 *   are revoked; federated users and root need a person;
 * - `block-public-access`: the named buckets' Block Public Access settings all on;
 * - `tag-malware`: an infected S3 object, snapshot, AMI or recovery point is recorded and tagged, never deleted;
 * - `restrict-database`: an RDS instance made private (if it is public) and snapshotted, and a person
 *   rotates the database credentials;
 * - `person`: a step only a person can take, with its runbook (`step` and `runbook` required).
 */
export const CONTAINMENT_ACTIONS = [
  'contain-workload',
  'isolate-instance',
  'disable-credentials',
  'block-public-access',
  'tag-malware',
  'restrict-database',
  'person',
] as const;
export type ContainmentAction = (typeof CONTAINMENT_ACTIONS)[number];

const containmentRuleSchema = z
  .strictObject({
    /** What the rule does (see `CONTAINMENT_ACTIONS`). */
    action: z.enum(CONTAINMENT_ACTIONS),
    /** Finding types, `*` matching any run of characters: `Backdoor:EC2/*`. */
    findingTypes: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    /** Lowest severity the rule acts on. @default 7.0 (High) */
    minSeverity: z._default(severity, 7),
    /** Only when GuardDuty's `resourceRole` is this. Prefer `involvement`, which reads the connection's direction. */
    resourceRole: z.optional(z.enum(['ACTOR', 'TARGET'])),
    /**
     * Only when the resource acted (it initiated the connection, asked DNS, ran the process) or was
     * targeted (probed, scanned, brute-forced): see the finding's involvement. @default either
     */
    involvement: z.optional(z.enum(['acting', 'targeted'])),
    /** Only when the finding shows a bucket with effective permission PUBLIC. */
    onlyPublicBuckets: z._default(z.boolean(), false),
    /** `plan` records what would be done; `enforce` does it (on AWS only; never for a person's step). @default "plan" */
    mode: z._default(z.enum(['plan', 'enforce']), 'plan'),
    /** For `person`: the step's name, kebab-case (e.g. `review-exposed-instance`). */
    step: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, { error: 'expected a kebab-case name such as review-exposed-instance' }))),
    /** For `person`: the runbook the person follows, `runbooks/<name>.md`. */
    runbook: z.optional(z.string().check(z.regex(/^runbooks\/[a-z0-9-]+\.md$/, { error: 'expected runbooks/<name>.md' }))),
    /** Only when no other rule matches the finding: a catch-all so nothing at this severity goes without a step. */
    fallback: z._default(z.boolean(), false),
  })
  .check(
    z.refine((r) => r.action !== 'person' || (r.step !== undefined && r.runbook !== undefined), {
      error: 'a person rule needs its step and runbook',
    }),
  );
export type ContainmentRule = z.infer<typeof containmentRuleSchema>;

type RuleInput = Omit<ContainmentRule, 'onlyPublicBuckets' | 'mode' | 'fallback' | 'minSeverity'> &
  Partial<Pick<ContainmentRule, 'onlyPublicBuckets' | 'mode' | 'fallback' | 'minSeverity'>>;
const rule = (r: RuleInput): ContainmentRule => ({ minSeverity: 7, onlyPublicBuckets: false, mode: 'plan', fallback: false, ...r });

/** The resource that ran it is compromised, whichever way its connections went. */
const WORKLOAD_COMPROMISE = [
  'Backdoor:EC2/*',
  'Trojan:EC2/*',
  'CryptoCurrency:EC2/*',
  'Execution:EC2/MaliciousFile',
  'Execution:EC2/SuspiciousFile',
  '*:Runtime/*',
  '*:Lambda/*',
  'Execution:ECS/*',
  'Execution:Container/*',
  'Execution:Kubernetes/MaliciousFile',
  'Execution:Kubernetes/SuspiciousFile',
];
/** An instance that did it is contained; one it was done to (probed, brute-forced) needs a person to close the exposure. */
const INSTANCE_DIRECTIONAL = ['UnauthorizedAccess:EC2/*', 'Impact:EC2/*', 'Recon:EC2/*', 'Behavior:EC2/*', 'DefenseEvasion:EC2/*'];
/** S3 findings made through credentials: the key (or session) that did it is disabled. */
const S3_THROUGH_CREDENTIALS = ['Exfiltration:S3/*', 'Impact:S3/*', 'UnauthorizedAccess:S3/*', 'Discovery:S3/*', 'PenTest:S3/*'];

export const DEFAULT_CONTAINMENT_RULES: ContainmentRule[] = [
  rule({ action: 'contain-workload', findingTypes: WORKLOAD_COMPROMISE }),
  rule({ action: 'contain-workload', findingTypes: INSTANCE_DIRECTIONAL, involvement: 'acting' }),
  rule({
    action: 'person',
    findingTypes: INSTANCE_DIRECTIONAL,
    involvement: 'targeted',
    step: 'review-exposed-instance',
    runbook: 'runbooks/exposed-instance.md',
  }),
  rule({ action: 'disable-credentials', findingTypes: ['*:IAMUser/*'] }),
  rule({ action: 'disable-credentials', findingTypes: S3_THROUGH_CREDENTIALS }),
  rule({
    action: 'block-public-access',
    findingTypes: ['Policy:S3/BucketAnonymousAccessGranted', 'Policy:S3/BucketPublicAccessGranted', 'Policy:S3/BucketBlockPublicAccessDisabled'],
  }),
  rule({ action: 'block-public-access', findingTypes: ['*:S3/*'], onlyPublicBuckets: true }),
  // Malware in data and backups is recorded and tagged from Medium: tagging changes no data.
  rule({ action: 'tag-malware', findingTypes: ['Object:S3/MaliciousFile', 'Execution:EC2/MaliciousFile!*', 'Execution:S3/MaliciousFile!*'], minSeverity: 4 }),
  rule({ action: 'restrict-database', findingTypes: ['*:RDS/*'] }),
  rule({ action: 'person', findingTypes: ['*:Kubernetes/*'], step: 'contain-kubernetes-workload', runbook: 'runbooks/eks-cluster.md' }),
  // An attack sequence: act on each credential, workload and public bucket it names, and a person reviews it whole.
  rule({ action: 'disable-credentials', findingTypes: ['AttackSequence:*'] }),
  rule({ action: 'contain-workload', findingTypes: ['AttackSequence:*'] }),
  rule({ action: 'block-public-access', findingTypes: ['AttackSequence:*'], onlyPublicBuckets: true }),
  rule({ action: 'person', findingTypes: ['AttackSequence:*'], step: 'review-attack-sequence', runbook: 'runbooks/attack-sequence.md' }),
  // Whatever else reaches High, including finding types this version does not know: a person triages it.
  rule({ action: 'person', findingTypes: ['*'], step: 'triage', runbook: 'runbooks/triage.md', fallback: true }),
];

const timeZone = z.string().check(
  z.refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { error: 'not a known IANA time zone (e.g. Europe/Amsterdam)' },
  ),
);

/**
 * Every period is bounded: a month at most (720 hours, 30 days in minutes). A number such as 1e11
 * hours passes "positive" and then breaks date arithmetic in the middle of a replay.
 */
const MAX_HOURS = 720;
/** Art. 33(1): the AP is notified within 72 hours after awareness at the latest. */
/** Art. 33(1)'s hours from awareness to the AP deadline. */
export const AP_MAX_HOURS = 72;
const AP_HOURS_BOUND = `must be 1 to ${AP_MAX_HOURS}: GDPR Art. 33(1) gives at most ${AP_MAX_HOURS} hours after awareness (a shorter internal target is allowed)`;
const hours = z.number().check(z.positive(), z.lte(MAX_HOURS, { error: `must be at most ${MAX_HOURS} (30 days)` }));
const minutesMax = z.lte(MAX_HOURS * 60, { error: `must be at most ${MAX_HOURS * 60} (30 days)` });

const hoursList = z.array(hours).check(z.refine((list) => new Set(list).size === list.length, { error: 'has the same hour twice' }));

export const policySchema = z.strictObject({
  $schema: z.optional(z.string()),
  thresholds: z.prefault(
    z.strictObject({
      /** Severity from which a finding opens an incident. @default 4.0 (Medium) */
      openIncident: z._default(severity, 4),
      /**
       * Severity from which the FG is notified at once ("possible breach"); below it an incident that opens
       * with its AP clock running tells the FG once, as a lower-priority `clock-running` message. @default 7.0 (High)
       */
      notifyFg: z._default(severity, 7),
      /** Severity from which the on-call engineer is paged. @default 7.0 (High) */
      pageOnCall: z._default(severity, 7),
    }),
    {},
  ),
  /**
   * Hours from awareness to the AP deadline. Art. 33(1) gives at most 72: a shorter internal target
   * is allowed, more is refused (a typo such as 720 would make every verdict "met" against a
   * deadline the law does not give; review7 G17). A record keeps the hours it was counted with
   * (`deadlineHours`). Should the pending EU proposal of 96 hours become law, this bound moves with
   * it. @default 72
   */
  apDeadlineHours: z._default(z.int().check(z.gte(1, { error: AP_HOURS_BOUND }), z.lte(AP_MAX_HOURS, { error: AP_HOURS_BOUND })), AP_MAX_HOURS),
  /**
   * The resource tags that are the organisation's labels of what a resource holds (atk29 A3): the FG is
   * shown a resource's tags of these keys (show, the page, the FG's message; other tags are counted, their
   * values left out as free text), and one whose value is among `values` (compared without case) is shown
   * as labelling the resource as holding personal data.
   * @default [{"key": "DataClassificatie", "values": ["Persoonlijk", "Persoonsgegevens", "Bijzonder"]}, {"key": "AVG", "values": ["Ja", "Yes"]}]
   */
  personalDataTags: z._default(z.array(z.strictObject({ key: z.string().check(z.minLength(1)), values: z.array(z.string().check(z.minLength(1))) })), [
    { key: 'DataClassificatie', values: ['Persoonlijk', 'Persoonsgegevens', 'Bijzonder'] },
    { key: 'AVG', values: ['Ja', 'Yes'] },
  ]),
  containment: z.prefault(
    z.strictObject({
      rules: z._default(z.array(containmentRuleSchema), DEFAULT_CONTAINMENT_RULES),
      /**
       * A resource with this tag is never touched: enforce becomes plan for it, and the timeline
       * says so. @default {"key": "datalek:exempt", "value": "true"}
       */
      exemptionTag: z._default(z.strictObject({ key: z.string().check(z.minLength(1)), value: z.optional(z.string()) }), {
        key: 'datalek:exempt',
        value: 'true',
      }),
      /**
       * Also take the instance profile off an isolated instance and revoke its role's older
       * sessions. Off by default: the revocation hits every instance and function using that role.
       * @default false
       */
      revokeInstanceCredentials: z._default(z.boolean(), false),
      /**
       * Accounts besides a finding's own in which containment may act on what the finding names
       * there (an S3 caller's credentials from another account, an attack sequence's actor or
       * resource): those with datalek's containment role, the deployment's `memberAccounts`. A target
       * in any other account is a person's step (`contain-in-other-account`), never an action on a
       * namesake in the finding's account. @default []
       */
      memberAccounts: z._default(z.array(z.string().check(z.regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }))), []),
      /**
       * The account the pipeline's own functions run in: a function there named `datalek-…` (or
       * `Datalek…`) is never stopped, as that would silence the pipeline. A function of that name
       * in any other account is contained like any other. The deployment sets it
       * (`DATALEK_PIPELINE_ACCOUNT`); absent, no function is taken for the pipeline's own.
       */
      pipelineAccount: z.optional(z.string().check(z.regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }))),
    }),
    {},
  ),
  reminders: z.prefault(
    z.strictObject({
      /** Reminders to the FG this many hours before the AP deadline. @default [48, 24, 12, 4, 1] */
      beforeDeadlineHours: z._default(hoursList, [48, 24, 12, 4, 1]),
      /** After the deadline, a reminder this often until the report is recorded. @default 12 */
      overdueEveryHours: z._default(hours, 12),
      /**
       * After the initial report, while the facts are marked incomplete (Art. 33(4)); and after a high
       * risk assessed following the AP's last report, until a report follows (Art. 33(3)(c), (4)). @default 24
       */
      followUpEveryHours: z._default(hours, 24),
      /** While a high-risk incident has no Art. 34 decision. @default 24 */
      subjectsEveryHours: z._default(hours, 24),
      /**
       * Hours after an assessment that says "notifiable" before the FG is nudged to notify when no
       * report followed: Art. 33(1) asks "without undue delay"; 72 hours is the limit, not the aim.
       * @default 24
       */
      notifyNudgeHours: z._default(hours, 24),
      /**
       * Who the NIS2 clocks' reminders go to (the significance decision, early warning, incident
       * notification, intermediate and final report): the reports to the CSIRT and the competent
       * authority are the organisation's security duty (NIS2 art. 23, Cyberbeveiligingswet), often the
       * CISO's or on-call's, not the FG's alone. The FG always gets them (its register keeps what was
       * reported, Art. 33(5)); `on-call` adds the on-call topic. The FG alone by default: on AWS the
       * reports and the NIS2 decisions are recorded only as the FG's role (cli/fg-role.ts), so on-call
       * reminded adds someone who sends a report and hands its recording to the FG. @default ["fg"]
       */
      nis2To: z._default(
        z
          .array(z.enum(['fg', 'on-call']))
          .check(z.refine((to) => to.includes('fg'), { error: 'must include "fg": the FG keeps the record of what is reported (Art. 33(5))' })),
        ['fg'],
      ),
      /**
       * Who the reminders of the AP follow-up owed after the risk was assessed high past the AP's last
       * report go to (Art. 33(3)(c), (4); clocks.ts riskFollowUpOwed): the high risk often comes from
       * the investigation (the CISO's, on-call's), who may hold what the follow-up needs. The FG always
       * gets them (it makes and records the follow-up); `on-call` adds the on-call topic. @default ["fg"]
       */
      riskFollowUpTo: z._default(
        z
          .array(z.enum(['fg', 'on-call']))
          .check(z.refine((to) => to.includes('fg'), { error: 'must include "fg": the FG makes and records the follow-up to the AP (Art. 33(4), (5))' })),
        ['fg'],
      ),
    }),
    {},
  ),
  /** Who the organisation is, for the AP notification draft (form sections 0 and 1). */
  organisation: z.prefault(
    z.strictObject({
      name: z.optional(z.string()),
      /** The FG (or contact point), Art. 33(3)(b). */
      fg: z.prefault(z.strictObject({ name: z.optional(z.string()), email: z.optional(z.string()), phone: z.optional(z.string()) }), {}),
      /** The person who files the AP form (form section 1); absent: the FG files it. */
      notifier: z.optional(
        z.strictObject({ name: z.optional(z.string()), function: z.optional(z.string()), email: z.optional(z.string()), phone: z.optional(z.string()) }),
      ),
      /**
       * The organisation acts as processor for others by default: the controller must be told
       * (Art. 33(2)); the AP notification and Art. 34 are the controller's. An incident can say
       * otherwise (`assess --acting-as`). @default false
       */
      processor: z._default(z.boolean(), false),
      /** Where NIS2 reports go under the Cyberbeveiligingswet: the CSIRT and the competent authority, by name. */
      nis2Recipients: z.prefault(z.strictObject({ csirt: z.optional(z.string()), competentAuthority: z.optional(z.string()) }), {}),
      /**
       * A financial undertaking under the Wft: UAVG art. 42 exempts it from Art. 34 (informing
       * data subjects). @default false
       */
      financialUndertaking: z._default(z.boolean(), false),
    }),
    {},
  ),
  /** Other clocks some organisations run besides the AP's 72 hours. All off by default. */
  clocks: z.prefault(
    z.strictObject({
      /**
       * NIS2 / Cyberbeveiligingswet, for incidents a person decides are significant (art. 23(3)):
       * early warning 24 h, notification 72 h, final report a calendar month after it.
       */
      nis2: z._default(z.boolean(), false),
      /**
       * Telecommunicatiewet (public e-communications, Regulation 611/2013): the AP within 24 h of
       * detection, complete within 3 days after that initial notification, and the subscribers.
       */
      telecom: z._default(z.boolean(), false),
      /**
       * Processor to controller (Art. 33(2)): hours from awareness, as the contract says. The clock
       * runs for every incident where the organisation is processor; null means 24 hours.
       */
      processorToControllerHours: z._default(z.nullable(hours), null),
    }),
    {},
  ),
  onCall: z.prefault(
    z.strictObject({
      /**
       * Who is paged, and when, until someone acknowledges: level 0 is the page when the incident
       * opens; the others follow at `afterMinutes`; after the last level, `repeatAfterMinutes` later,
       * the next round starts at level 0 again. Each page is sent once per level and round.
       */
      escalation: z.prefault(
        z.strictObject({
          levels: z._default(
            z
              .array(
                z.strictObject({
                  name: z.string().check(z.minLength(1)),
                  afterMinutes: z.number().check(minutesMax, z.gte(0)),
                  channel: z.enum(['on-call', 'fg']),
                  /** Hold this level's pages in quiet hours, except for Critical incidents. @default false */
                  respectQuietHours: z._default(z.boolean(), false),
                }),
              )
              .check(
                z.minLength(1),
                z.refine((levels) => levels[0].afterMinutes === 0, { error: 'the first level pages when the incident opens: afterMinutes 0' }),
                z.refine((levels) => levels.every((l, i) => i === 0 || l.afterMinutes > levels[i - 1].afterMinutes), {
                  error: 'levels must come later one after the other (afterMinutes ascending)',
                }),
              ),
            [
              { name: 'on-call', afterMinutes: 0, channel: 'on-call', respectQuietHours: false },
              { name: 'secondary', afterMinutes: 15, channel: 'on-call', respectQuietHours: false },
              { name: 'fg', afterMinutes: 30, channel: 'fg', respectQuietHours: true },
            ],
          ),
          repeatAfterMinutes: z._default(z.number().check(minutesMax, z.positive()), 15),
        }),
        {},
      ),
      /**
       * Quiet hours in the policy's time zone, e.g. {"from": "22:00", "to": "07:00"}: levels that
       * respect them hold their pages then. A Critical incident is never held. @default none
       */
      quietHours: z.optional(
        z.strictObject({
          from: z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected HH:MM' })),
          to: z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected HH:MM' })),
        }),
      ),
      /**
       * Who pages on-call: `sns` (the on-call topic, with datalek's own escalation levels), or
       * `pagerduty` / `opsgenie`: an incident that pages triggers an alert there, and their
       * escalation replaces datalek's levels. The routing key or API key and the webhook secret come
       * from the secret store, never from this file. @default "sns"
       */
      provider: z._default(z.enum(['sns', 'pagerduty', 'opsgenie']), 'sns'),
      /**
       * The provider's API address, for its EU service region: `https://events.eu.pagerduty.com`,
       * `https://api.eu.opsgenie.com`. @default the provider's own (US) address
       */
      providerUrl: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.eu.opsgenie.com' })),
      /**
       * Where the runbooks can be read, e.g. `https://github.com/acme/datalek/blob/main/`: pages,
       * chat cards and alerts then link the runbook; without it they name its path. @default none
       */
      runbookBaseUrl: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://github.com/acme/datalek/blob/main/' })),
    }),
    {},
  ),
  /**
   * How long the personal data in the raw findings of a closed incident is kept (AVG Art. 5(1)(c)
   * and (e)): `datalek minimise` replaces it, `findingDetailDays` days after closing, keeping the
   * register, the timeline and the ledger's proof (core/minimise.ts). 180 days covers what the raw
   * finding may still be needed for after closing: the AP's questions on a notification, a NIS2
   * final report (a month after handling ends), a follow-up of the same activity, an objection or
   * complaint about the decision. @default 180
   */
  retention: z.prefault(
    z.strictObject({
      findingDetailDays: z._default(z.int().check(z.gte(0, { error: 'must be 0 to 3650' }), z.lte(3650, { error: 'must be 0 to 3650' })), 180),
    }),
    {},
  ),
  /** Times are computed in UTC and shown to people in this zone. @default "Europe/Amsterdam" */
  timeZone: z._default(timeZone, 'Europe/Amsterdam'),
  /** Language of the FG and on-call messages. @default "nl" */
  language: z._default(z.enum(['nl', 'en']), 'nl'),
});

export type Policy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

/** Validates a policy object; the error names each bad value by its path. */
export function parsePolicy(value: unknown, source = 'policy'): Policy {
  const result = policySchema.safeParse(value);
  if (!result.success) {
    throw new InvalidPolicyError(
      source,
      result.error.issues.map((issue) => {
        const path = formatPath('', issue.path) || '(top level)';
        const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : '';
        return `${path}: ${describeIssue(issue.message)}${issue.code === 'unrecognized_keys' ? '' : keys}`;
      }),
    );
  }
  return result.data;
}

/** Reads and validates a policy file; no file means the built-in defaults. */
export function loadPolicy(file?: string): Policy {
  if (!file) return DEFAULT_POLICY;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidPolicyError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidPolicyError(file, [`not valid JSON (${(err as Error).message})`]);
  }
  return parsePolicy(value, file);
}

/**
 * `Backdoor:EC2/*` matches `Backdoor:EC2/C&CActivity.B!DNS`; matching is case-sensitive, as in GuardDuty.
 * `*` matches any text, line breaks included (the `s` flag): a type is the event's text, and one
 * holding a "\n" matched no rule at all, not even the fallback `*`, so its incident had no step.
 */
export function matchesType(pattern: string, findingType: string): boolean {
  let regex = typePatterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
    typePatterns.set(pattern, regex);
  }
  return regex.test(findingType);
}

/** Each pattern compiled once: every finding is matched against every rule's patterns. (A policy has a bounded number.) */
const typePatterns = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
