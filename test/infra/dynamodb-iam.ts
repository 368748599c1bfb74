/**
 * What IAM is asked for a DynamoDB request, and what a role's synthesized statements answer: a
 * small evaluator of the policy on the requests an acknowledgement really sends, since moto does
 * not enforce IAM and the IAM policy simulator is not in moto.
 *
 * The request context follows what AWS documents (infra/link-grant.ts names the pages): each item
 * of a TransactWriteItems is authorised as its own PutItem, UpdateItem, DeleteItem or
 * ConditionCheckItem; `dynamodb:LeadingKeys` holds the partition key values the request reaches;
 * `dynamodb:Attributes` the attribute names it writes, projects or evaluates in an expression (an
 * over-count is the safe side here); `dynamodb:ReturnValues` the ReturnValues asked for, in a
 * transaction ReturnValuesOnConditionCheckFailure, NONE when none is. Conditions are evaluated as
 * the IAM User Guide says (ForAllValues true for an absent key, ForAnyValue false, …IfExists true);
 * an operator this evaluator does not know fails the evaluation rather than passing it.
 *
 * It is a model of AWS, not AWS: it shows that the requests the code makes fit the policy as
 * documented, and that the writes the link must not make do not.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Statement } from '../support/infra.js';
import { TEST_REGION } from '../support/moto.js';

export interface Authorization {
  action: string;
  resource: string;
  context: Record<string, string | string[] | undefined>;
  /** What it is, for messages. */
  what: string;
}

type Av = Record<string, unknown>;
type Json = Record<string, unknown>;

const PARTITION_KEY = 'pk';
const FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size', 'if_not_exists', 'list_append']);
const WORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE']);

/** The attribute names an expression refers to (`#alias` resolved). */
export function expressionNames(expression: unknown, aliases: unknown): string[] {
  if (typeof expression !== 'string') return [];
  const names = (aliases ?? {}) as Record<string, string>;
  const out: string[] = [];
  for (const m of expression.matchAll(/(:?)(#?[A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    const [, value, token, call] = m;
    if (value) continue;
    if (call && FUNCTIONS.has(token)) continue;
    if (WORDS.has(token.toUpperCase())) continue;
    out.push(token.startsWith('#') ? (names[token] ?? token) : token);
  }
  return out;
}

const s = (av: unknown) => String((av as Av | undefined)?.S ?? (av as Av | undefined)?.N ?? '');

function tableArn(table: string, base: { partition: string; region: string; account: string }, index?: string) {
  return `arn:${base.partition}:dynamodb:${base.region}:${base.account}:table/${table}${index ? `/index/${index}` : ''}`;
}

/**
 * The authorizations one DynamoDB call needs, from its operation name and its body as sent on the
 * wire (`X-Amz-Target: DynamoDB_20120810.<operation>`, JSON with typed attribute values).
 */
export function authorizationsOf(operation: string, body: Json, base: { partition: string; region: string; account: string }): Authorization[] {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const item = (action: string, req: Json, attributeNames: string[], returnValues: unknown): Authorization => {
    const key = (req.Key ?? req.Item) as Json;
    return {
      action: `dynamodb:${action}`,
      resource: tableArn(String(req.TableName), base),
      context: {
        'dynamodb:LeadingKeys': [s(key[PARTITION_KEY])],
        'dynamodb:Attributes': attributeNames.length ? uniq(attributeNames) : undefined,
        'dynamodb:ReturnValues': typeof returnValues === 'string' ? returnValues : 'NONE',
      },
      what: `${action} ${s(key[PARTITION_KEY])} / ${s(key.sk)}`,
    };
  };
  const write = (action: string, req: Json, returnValues: unknown) =>
    item(
      action,
      req,
      [
        ...Object.keys((req.Item ?? req.Key) as Json),
        ...expressionNames(req.UpdateExpression, req.ExpressionAttributeNames),
        ...expressionNames(req.ConditionExpression, req.ExpressionAttributeNames),
      ],
      returnValues,
    );
  switch (operation) {
    case 'GetItem':
      return [item('GetItem', body, expressionNames(body.ProjectionExpression, body.ExpressionAttributeNames), undefined)];
    case 'PutItem':
      return [write('PutItem', body, body.ReturnValues)];
    case 'UpdateItem':
      return [write('UpdateItem', body, body.ReturnValues)];
    case 'DeleteItem':
      return [write('DeleteItem', body, body.ReturnValues)];
    case 'BatchGetItem':
      return Object.entries(body.RequestItems as Record<string, Json>).map(([table, req]) => ({
        action: 'dynamodb:BatchGetItem',
        resource: tableArn(table, base),
        context: {
          'dynamodb:LeadingKeys': uniq((req.Keys as Json[]).map((k) => s(k[PARTITION_KEY]))),
          'dynamodb:Attributes': req.ProjectionExpression ? uniq(expressionNames(req.ProjectionExpression, req.ExpressionAttributeNames)) : undefined,
        },
        what: `BatchGetItem ${(req.Keys as Json[]).map((k) => `${s(k[PARTITION_KEY])} / ${s(k.sk)}`).join(', ')}`,
      }));
    case 'TransactWriteItems':
      return (body.TransactItems as Json[]).map((t) => {
        const [[kind, req]] = Object.entries(t) as [string, Json][];
        const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind];
        if (!action) throw new Error(`a transaction item of an unknown kind: ${kind}`);
        return write(action, req, req.ReturnValuesOnConditionCheckFailure);
      });
    case 'Query':
    case 'Scan':
      return [
        {
          action: `dynamodb:${operation}`,
          resource: tableArn(String(body.TableName), base, body.IndexName as string | undefined),
          context: {
            'dynamodb:Select': typeof body.Select === 'string' ? body.Select : undefined,
            'dynamodb:Attributes': body.ProjectionExpression ? expressionNames(body.ProjectionExpression, body.ExpressionAttributeNames) : undefined,
          },
          what: `${operation} ${String(body.IndexName ?? body.TableName)}`,
        },
      ];
    default:
      return [{ action: `dynamodb:${operation}`, resource: tableArn(String(body.TableName), base), context: {}, what: operation }];
  }
}

/** A template value as text where it is an ARN made of the pseudo parameters; anything else stays unresolved (and matches nothing). */
export function resolve(value: unknown, base: { partition: string; region: string; account: string }): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v && typeof v === 'object') {
    if (v.Ref === 'AWS::Partition') return base.partition;
    if (v.Ref === 'AWS::Region') return base.region;
    if (v.Ref === 'AWS::AccountId') return base.account;
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolve(p, base)).join(sep);
    }
  }
  return `<unresolved ${JSON.stringify(value)}>`;
}

const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  ).test(value);

function matchesAny(patterns: unknown, value: string, base: { partition: string; region: string; account: string }, caseless = false) {
  return [patterns].flat().some((p) => {
    const pattern = resolve(p, base);
    return caseless ? like(pattern.toLowerCase(), value.toLowerCase()) : like(pattern, value);
  });
}

/** One condition operator on one key, as the IAM User Guide defines it. */
function conditionHolds(operator: string, key: string, expected: unknown, context: Authorization['context']): boolean {
  const actual = context[key];
  const values = [expected].flat().map(String);
  if (operator === 'Null') return (actual === undefined) === (values[0] === 'true');
  const set = operator.match(/^(ForAllValues|ForAnyValue):(.*)$/);
  const base = set ? set[2] : operator;
  const ifExists = base.endsWith('IfExists');
  const op = ifExists ? base.slice(0, -'IfExists'.length) : base;
  const test = {
    StringEquals: (a: string) => values.includes(a),
    StringEqualsIgnoreCase: (a: string) => values.some((v) => v.toLowerCase() === a.toLowerCase()),
    StringLike: (a: string) => values.some((p) => like(p, a)),
    Bool: (a: string) => values.some((v) => v.toLowerCase() === a.toLowerCase()),
    ArnLike: (a: string) => values.some((p) => like(p, a)),
    ArnEquals: (a: string) => values.some((p) => like(p, a)),
  }[op];
  // A negated operator: true where its positive is false, and for an absent key.
  const negated = { ArnNotLike: 'ArnLike', ArnNotEquals: 'ArnEquals', StringNotEquals: 'StringEquals', StringNotLike: 'StringLike' }[op];
  if (negated && !set) return actual === undefined || !conditionHolds(negated, key, expected, context);
  if (!test) throw new Error(`this evaluator does not know the condition operator ${operator}`);
  if (set) {
    const list = actual === undefined ? [] : [actual].flat();
    return set[1] === 'ForAllValues' ? list.every(test) : list.some(test);
  }
  if (actual === undefined) return ifExists;
  if (Array.isArray(actual)) throw new Error(`${key} has several values: ${operator} needs ForAllValues or ForAnyValue`);
  return test(actual);
}

function statementApplies(st: Statement, a: Authorization, base: { partition: string; region: string; account: string }): boolean {
  if ('NotAction' in st) throw new Error('this evaluator does not read NotAction');
  if (!matchesAny(st.Action, a.action, base, true)) return false;
  // NotResource: every resource but those listed.
  if ('NotResource' in st ? matchesAny(st.NotResource, a.resource, base) : !matchesAny(st.Resource, a.resource, base)) return false;
  return Object.entries(st.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, a.context)),
  );
}

/** Whether `policies` (each a list of statements: the role's, its boundary) all allow `a`: an Allow in each, a Deny in none. */
export function allowed(a: Authorization, policies: Statement[][], base: { partition: string; region: string; account: string }): boolean {
  return policies.every(
    (statements) =>
      !statements.some((st) => st.Effect === 'Deny' && statementApplies(st, a, base)) &&
      statements.some((st) => st.Effect === 'Allow' && statementApplies(st, a, base)),
  );
}

/** One DynamoDB request as it went on the wire: its operation and its JSON body. */
export interface SentRequest {
  operation: string;
  body: Json;
}

/** A DynamoDB client for `endpoint` (moto) that records every request it sends, as sent, into `sent`. */
export function recordingClient(endpoint: string, sent: SentRequest[]): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body: string | Uint8Array };
      const operation = String(request.headers['x-amz-target']).split('.')[1];
      sent.push({ operation, body: JSON.parse(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body)) });
      return next(args);
    },
    { step: 'build', name: 'recordForIam' },
  );
  return client;
}
