/**
 * sec24: the tables a function dedupes on are written by that function alone (and break-glass). A
 * principal of the pipeline account whose IAM policy allows DynamoDB writes could otherwise
 * pre-write an item and so silence what the function would have done: a `datalek-member-pages`
 * item marks a member account's call as paged already (its page is never sent), a
 * `datalek-idempotency` record marks a finding as recorded already (Powertools returns the stored
 * result and the finding is skipped). Deleting items, or writing them by PartiQL or in a batch,
 * is refused alike.
 *
 * sec25: the register (`datalek-incidents`) likewise, to its functions and the on-call role, as
 * which people write it (`datalek … --target aws`): anyone else's write could rewrite an incident,
 * its timeline or ledger, or mark its messages sent, which verify and the anchor tell only after.
 *
 * moto enforces no IAM and no resource policy, so the table's synthesized resource policy is
 * evaluated (test/infra/dynamodb-iam.ts) together with an identity policy of `*` on `*`: the
 * account's most privileged role short of break-glass. A transaction's items are authorised as
 * their own PutItem, UpdateItem or DeleteItem, so they are covered by those.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatalekApp } from '../../infra/build-app.js';
import { DEPLOY_CONTEXT, roleStatementsOf, type Statement, synthesizedApp } from '../support/infra.js';
import { resolveValue } from './cfn-resolve.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
const role = (name: string) => `arn:aws:iam::${BASE.account}:role/${name}`;

/** Every call that adds, replaces or removes an item. */
const ITEM_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'];

/** An identity policy that allows everything: an administrator of the account. */
const ADMIN: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };

/** The functions that write the register's items: every other one's IAM policy writes none (checked below). */
const REGISTER_FUNCTIONS = ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge', 'link-apply', 'anchor'] as const;

const TABLES = [
  { name: 'datalek-member-pages', stack: 'response', writers: ['datalek-member-pages-function'] },
  // Powertools idempotency, in the record function alone (handlers/record-finding.ts).
  { name: 'datalek-idempotency', stack: 'stateful', writers: ['datalek-record-finding-function'] },
  // The register (sec25): its functions, each held to its own items by its IAM policy
  // (incident-writers-grant.test.ts), and the on-call role, as which `datalek … --target aws`
  // writes (the FG's and on-call's topics take its messages from no other person's role); and
  // (sec26) the FG's own role, so that the FG's decisions are not recorded as on-call's.
  {
    name: 'datalek-incidents',
    stack: 'stateful',
    writers: [...REGISTER_FUNCTIONS.map((h) => `datalek-${h}-function`), 'datalek-on-call', 'datalek-fg'],
  },
] as const;

/** Other principals of the account: an administrator, another function, on-call, the deployment. */
const OTHERS = [
  'Admin',
  'datalek-notify-function',
  'datalek-contain-function',
  'datalek-record-finding-function',
  'datalek-member-pages-function',
  'datalek-on-call',
  'datalek-fg',
  'AWSReservedSSO_DatalekFG_0123456789abcdef',
  `cdk-datalek-cfn-exec-role-${BASE.account}-${BASE.region}`,
];

describe("only a table's own functions (the register's: and the on-call role) and break-glass write its items", () => {
  let built: DatalekApp;
  const templates: Record<string, Template> = {};

  beforeAll(() => {
    built = synthesizedApp();
    templates.response = Template.fromStack(built.response);
    templates.stateful = Template.fromStack(built.stateful);
  }, 120_000);

  const table = (t: (typeof TABLES)[number]) => {
    const template = templates[t.stack];
    const [found] = Object.values(template.findResources('AWS::DynamoDB::Table', { Properties: { TableName: t.name } }));
    expect(found, t.name).toBeDefined();
    return { template, properties: found.Properties as Record<string, unknown>, resource: found as Record<string, unknown> };
  };

  const policyOf = (t: (typeof TABLES)[number]): Statement[] => {
    const { template, properties } = table(t);
    const document = (properties.ResourcePolicy as { PolicyDocument?: { Statement: Statement[] } } | undefined)?.PolicyDocument;
    return (resolveValue(document?.Statement ?? [], template, { account: BASE.account, region: BASE.region }) as Statement[]) ?? [];
  };

  const write = (t: (typeof TABLES)[number], action: string, principal: string): Authorization => ({
    action: `dynamodb:${action}`,
    resource: `arn:aws:dynamodb:${BASE.region}:${BASE.account}:table/${t.name}`,
    context: { 'aws:PrincipalArn': role(principal), 'dynamodb:LeadingKeys': ['planted'] },
    what: `${action} by ${principal}`,
  });

  it('datalek-incidents: names every function whose own IAM policy writes a register item, and no other', () => {
    // So that a function given the register's writes later is not refused them by the table alone.
    const t = templates.response;
    const keys = ['INC#planted', 'FND#planted', 'RES#planted', 'REG#0', 'ANCHOR', 'ANCHOR#0'];
    const writing = Object.entries(t.findResources('AWS::IAM::Role'))
      .filter(([id]) => {
        const statements = resolveValue(roleStatementsOf(t, id), t, {
          account: BASE.account,
          region: BASE.region,
          exporters: [templates.stateful],
        }) as Statement[];
        return ITEM_WRITES.some((action) =>
          keys.some((key) =>
            allowed(
              {
                action: `dynamodb:${action}`,
                resource: `arn:aws:dynamodb:${BASE.region}:${BASE.account}:table/datalek-incidents`,
                context: { 'dynamodb:LeadingKeys': [key], 'dynamodb:Attributes': ['pk', 'sk'] },
                what: `${action} ${key} by ${id}`,
              },
              [statements],
              BASE,
            ),
          ),
        );
      })
      .map(([, role]) => role.Properties.RoleName as string);
    expect(writing.sort()).toEqual(REGISTER_FUNCTIONS.map((h) => `datalek-${h}-function`).sort());
  });

  for (const t of TABLES) {
    it(`${t.name}: refuses every item write to any other principal of the account, whatever its IAM policy allows`, () => {
      const statements = policyOf(t);
      for (const principal of OTHERS.filter((p) => !(t.writers as readonly string[]).includes(p))) {
        for (const action of ITEM_WRITES) {
          const a = write(t, action, principal);
          expect(allowed(a, [[ADMIN, ...statements]], BASE), a.what).toBe(false);
        }
      }
    });

    it(`${t.name}: leaves its own function's and break-glass's writes to their IAM policies`, () => {
      const statements = policyOf(t);
      for (const principal of [...t.writers, DEPLOY_CONTEXT.breakGlassRole]) {
        for (const action of ITEM_WRITES) {
          const a = write(t, action, principal);
          expect(allowed(a, [[ADMIN, ...statements]], BASE), a.what).toBe(true);
        }
      }
    });

    it(`${t.name}: cannot be deleted with its stack or by hand`, () => {
      const { properties, resource } = table(t);
      expect(properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
      // Nor its protections taken off, but by break-glass or the deployment (as the register's, review9 S1).
      const statements = policyOf(t);
      const call = (action: string, principal: string) => ({ ...write(t, action, principal), context: { 'aws:PrincipalArn': role(principal) } });
      // Nor its tags changed (fgrole, session 27: the register's tag names the FG's role, whose sessions alone record the FG's decisions).
      for (const action of [
        'DeleteTable',
        'UpdateTable',
        'UpdateContinuousBackups',
        'PutResourcePolicy',
        'DeleteResourcePolicy',
        'TagResource',
        'UntagResource',
      ]) {
        expect(allowed(call(action, 'Admin'), [[ADMIN, ...statements]], BASE), action).toBe(false);
        expect(allowed(call(action, `cdk-datalek-cfn-exec-role-${BASE.account}-${BASE.region}`), [[ADMIN, ...statements]], BASE), action).toBe(true);
      }
    });
  }

  it("datalek-incidents: names the FG's role in its tag datalek:fg-role, the CDK app's fgRole (fgrole, session 27)", () => {
    const tags = table(TABLES[2]).properties.Tags as { Key: string; Value: string }[];
    expect(tags).toContainEqual({ Key: 'datalek:fg-role', Value: 'datalek-fg' });
    const named = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, fgRole: 'AWSReservedSSO_FG_0123456789abcdef' }).stateful);
    const [found] = Object.values(named.findResources('AWS::DynamoDB::Table', { Properties: { TableName: 'datalek-incidents' } }));
    expect(found.Properties.Tags).toContainEqual({ Key: 'datalek:fg-role', Value: 'AWSReservedSSO_FG_0123456789abcdef' });
  }, 120_000);
});
