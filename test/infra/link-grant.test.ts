/**
 * The link-apply function's grant on the incidents table, as synthesized: only what an
 * acknowledgement by a link or the pager reads and puts (infra/link-grant.ts), by partition key
 * prefix and attribute name. (The public link function has none: test/infra/link-forward.test.ts.)
 * test/infra/link-grant-requests.test.ts holds the requests an acknowledgement makes against it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';

const LINK_ROLE = 'datalek-link-apply-function';
const onTable = (st: Statement) => actionsOf(st).some((a) => a.startsWith('dynamodb:'));

describe("the link-apply function's grant on the incidents table", () => {
  let statements: Statement[];

  beforeAll(() => {
    const response = Template.fromStack(synthesizedApp().response);
    statements = roleStatements(response, LINK_ROLE).filter(onTable);
  }, 120_000);

  it('allows only GetItem and BatchGetItem of incidents and resource locks, and PutItem, nothing else', () => {
    expect(new Set(statements.flatMap(actionsOf))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem']));
    for (const forbidden of ['UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'Query', 'Scan', 'BatchWriteItem', 'DescribeTable', '*'])
      expect(statements.flatMap(actionsOf)).not.toContain(`dynamodb:${forbidden}`);
    // The table, never an index: an acknowledgement lists nothing.
    for (const st of statements) expect(JSON.stringify(st.Resource)).not.toContain('/index/');
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
  });

  it('reads only the incidents’ and the resource locks’ partitions', () => {
    const reads = statements.filter((st) => actionsOf(st).some((a) => a.endsWith('GetItem')));
    expect(reads).toHaveLength(1);
    expect(actionsOf(reads[0]).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(reads[0].Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INC#*', 'RES#*'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
  });

  it('puts only into incidents’ partitions and the anchor marks’ shards, with the attribute names an acknowledgement writes', () => {
    const writes = statements.filter((st) => actionsOf(st).includes('dynamodb:PutItem'));
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0])).toEqual(['dynamodb:PutItem']);
    const condition = writes[0].Condition as Record<string, Record<string, unknown>>;
    // Not REG# (the registry), FND# (findings), RES# (resource locks), nor ANCHOR (the anchor's state).
    expect(condition['ForAllValues:StringLike']).toEqual({
      'dynamodb:LeadingKeys': ['INC#*', 'ANCHOR#0', 'ANCHOR#1', 'ANCHOR#2', 'ANCHOR#3', 'ANCHOR#4', 'ANCHOR#5', 'ANCHOR#6', 'ANCHOR#7'],
    });
    const attributes = condition['ForAllValues:StringEquals']['dynamodb:Attributes'] as string[];
    expect(attributes).toEqual(expect.arrayContaining(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'revision', 'ledgerSeq', 'data', 'hash']));
    // The outbox's marks (notify's, the sweep's), the registry's number, a finding's version.
    for (const never of ['sentAt', 'claimedUntil', 'n', 'shard', 'updatedAt', 'count']) expect(attributes).not.toContain(never);
    expect(condition.StringEqualsIfExists).toEqual({ 'dynamodb:ReturnValues': 'NONE' });
    // ForAllValues holds for a request without the key: the keys must be there.
    expect(condition.Null).toEqual({ 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' });
  });
});
