/**
 * review27 finalA #7: `setup --target aws` names the FG's role on the incidents table (`datalek:fg-role`,
 * `datalek-fg`) only when the table names none. ListTagsOfResource answers in pages (NextToken): a tag
 * on a later page is the table's too, and setup must not overwrite it with `datalek-fg`.
 */
import { DescribeTableCommand, type DynamoDBClient, ListTagsOfResourceCommand, TagResourceCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { tagFgRole } from '../../handlers/adapters/aws/setup.js';
import { FG_ROLE_TAG } from '../../handlers/adapters/aws/table-schema.js';

const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/datalek-incidents';

/** A DynamoDB client answering DescribeTable and ListTagsOfResource in `pages`, recording what it is sent. */
function fakeDynamo(pages: { Key: string; Value: string }[][]) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      if (command instanceof DescribeTableCommand) return { Table: { TableArn: ARN } };
      if (command instanceof ListTagsOfResourceCommand) {
        const i = Number(command.input.NextToken ?? 0);
        return { Tags: pages[i], ...(i + 1 < pages.length ? { NextToken: String(i + 1) } : {}) };
      }
      if (command instanceof TagResourceCommand) return {};
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return { client: client as unknown as DynamoDBClient, tagged: () => sent.filter((c) => c instanceof TagResourceCommand) };
}

describe("setup's FG-role tag on the incidents table", () => {
  it("leaves a datalek:fg-role tag on the second page of the table's tags as it is", async () => {
    const fake = fakeDynamo([[{ Key: 'team', Value: 'security' }], [{ Key: FG_ROLE_TAG, Value: 'fg-sso' }]]);
    await tagFgRole(fake.client, 'datalek-incidents');
    expect(fake.tagged()).toEqual([]);
  });

  it('tags datalek-fg when no page names one', async () => {
    const fake = fakeDynamo([[{ Key: 'team', Value: 'security' }], [{ Key: 'cost', Value: 'x' }]]);
    await tagFgRole(fake.client, 'datalek-incidents');
    expect(fake.tagged().map((c) => (c as TagResourceCommand).input)).toEqual([{ ResourceArn: ARN, Tags: [{ Key: FG_ROLE_TAG, Value: 'datalek-fg' }] }]);
  });
});
