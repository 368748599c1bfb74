/**
 * The FG's and on-call's CLI (and `serve --target aws`) read the incidents table's ARN and its tag
 * `datalek:fg-role` before every FG decision and for `show`/`verify` (handlers/cli/aws-backend.ts
 * `tableFgRole`, fg-role.ts). The pipeline account's SCP denies changing those roles' policies to
 * all but the deployment and break-glass (pipeline-scp.ts), so the grant must come with a policy the
 * deployment maintains and the README has attached to both roles: `datalek-on-call-read-containment`
 * (review27 finalB #3). The calls are read from aws-backend.ts itself (every DynamoDB command it
 * imports), and evaluated against that policy and the table's resource policy.
 */
import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_NAMES } from '../../handlers/adapters/aws/table-schema.js';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const REGION = DEPLOY_CONTEXT.region;
const base = { partition: 'aws', region: REGION, account: PIPELINE };
const tableArn = (name: string, account = PIPELINE) => `arn:aws:dynamodb:${REGION}:${account}:table/${name}`;
const INCIDENTS = tableArn(DEFAULT_RESOURCE_NAMES.table);

/** The IAM actions of the DynamoDB commands aws-backend.ts itself constructs (the table's ARN and tags). */
function backendTableCalls(): string[] {
  const source = readFileSync(new URL('../../handlers/cli/aws-backend.ts', import.meta.url), 'utf8');
  const imported = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-dynamodb'/g)].flatMap(([, names]) =>
    names
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.endsWith('Command')),
  );
  const constructed = new Set([...source.matchAll(/new\s+(\w+Command)\s*\(/g)].map(([, c]) => c));
  return imported.filter((c) => constructed.has(c)).map((c) => `dynamodb:${c.slice(0, -'Command'.length)}`);
}

describe("the FG's and on-call's roles may read the incidents table's ARN and FG tag through the policy the deployment maintains", () => {
  let response: Template;
  let stateful: Template;
  const calls = backendTableCalls();
  const ask = (action: string, resource = INCIDENTS, principal?: string): Authorization => ({
    action,
    resource,
    context: principal ? { 'aws:PrincipalArn': `arn:aws:iam::${PIPELINE}:role/${principal}` } : {},
    what: `${action} on ${resource}${principal ? ` as ${principal}` : ''}`,
  });

  beforeAll(() => {
    const built = synthesizedApp();
    response = Template.fromStack(built.response);
    stateful = Template.fromStack(built.stateful);
  }, 120_000);

  const readPolicy = (): Statement[] => {
    const [policy] = Object.values(
      response.findResources('AWS::IAM::ManagedPolicy', { Properties: { ManagedPolicyName: 'datalek-on-call-read-containment' } }),
    );
    if (!policy) throw new Error('no datalek-on-call-read-containment policy');
    return policy.Properties.PolicyDocument.Statement as Statement[];
  };

  it('reads the calls from aws-backend.ts (DescribeTable for the ARN, ListTagsOfResource for the tag)', () => {
    expect(calls.sort()).toEqual(['dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource']);
  });

  it('datalek-on-call-read-containment allows each on the incidents table, and no other table, account or DynamoDB action', () => {
    const statements = readPolicy();
    expect(
      calls
        .map((c) => ask(c))
        .filter((a) => !allowed(a, [statements], base))
        .map((a) => a.what),
    ).toEqual([]);
    const elsewhere = [
      ...calls.map((c) => ask(c, tableArn(DEFAULT_RESOURCE_NAMES.idempotencyTable))),
      ...calls.map((c) => ask(c, tableArn('someone-elses'))),
      ...calls.map((c) => ask(c, tableArn(DEFAULT_RESOURCE_NAMES.table, '444455556666'))),
      ...calls.map((c) => ask(c, `${INCIDENTS}/index/due`)),
      ...['GetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'TagResource', 'UntagResource', 'UpdateTable'].map((a) => ask(`dynamodb:${a}`)),
    ];
    expect(elsewhere.filter((a) => allowed(a, [statements], base)).map((a) => a.what)).toEqual([]);
  });

  it("the incidents table's resource policy denies neither to the on-call, FG or break-glass role", () => {
    const tables = Object.values(stateful.findResources('AWS::DynamoDB::Table', { Properties: { TableName: DEFAULT_RESOURCE_NAMES.table } }));
    expect(tables).toHaveLength(1);
    const denies = (tables[0].Properties.ResourcePolicy.PolicyDocument.Statement as Statement[]).filter((st) => st.Effect === 'Deny');
    expect(denies.length).toBeGreaterThan(0);
    const anything: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };
    const roles = ['datalek-on-call', 'datalek-fg', DEPLOY_CONTEXT.breakGlassRole];
    const refused = roles.flatMap((r) => calls.map((c) => ask(c, INCIDENTS, r))).filter((a) => !allowed(a, [[...denies, anything]], base));
    expect(refused.map((a) => a.what)).toEqual([]);
    // The evaluator reads the Deny: the tag's change stays refused to those roles but break-glass.
    expect(allowed(ask('dynamodb:TagResource', INCIDENTS, 'datalek-fg'), [[...denies, anything]], base)).toBe(false);
  });
});
