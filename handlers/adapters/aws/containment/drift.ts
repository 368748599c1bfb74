/**
 * Reads back what the record says containment left in effect (core/drift.ts), in the account and
 * region each resource lives in, through the same client factory containment acts with (in a member
 * account the CLI gives it the member's read role: handlers/cli/containment-check.ts, infra/containment-read.ts).
 * Reads only, and only what the checks name: network interfaces,
 * instances and isolation groups each in one filtered Describe per account and region (a filter,
 * not a list of ids: an id that no longer exists is then simply absent, where a list of ids fails
 * the whole call), one IAM, S3, Lambda or RDS read per key, policy, bucket, function or database
 * (a key found Inactive: its user's console password and MFA devices too, two reads more); an isolated
 * instance's ECS registrations in every cluster of the region (`ecsRegistrations`, once per account and region).
 * A read that fails is answered as an error with its code, never as "in place".
 */
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  type ListClustersCommandOutput,
  ListContainerInstancesCommand,
  type ListContainerInstancesCommandOutput,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionConcurrencyCommand, GetFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { ContainmentCheck, ContainmentStateReader, Expectation, Observation } from '../../../core/drift.js';
import { redactErrorMessage } from '../../../core/error-text.js';
import type { ContainmentClientFactory, ContainmentClients, ContainmentService } from './clients.js';
import { DRAIN_BOUNDS } from './ecs.js';
import { CREATED_FOR_TAG } from './network-isolation.js';
import { errorCode } from './steps.js';

const SERVICES: readonly ContainmentService[] = ['ec2', 'iam', 's3', 'lambda', 'rds', 'ecs'];

/** EC2 takes up to 200 values in one filter. */
const FILTER_VALUES = 200;

type Kind<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

export class AwsContainmentStateReader implements ContainmentStateReader {
  constructor(private readonly clients: ContainmentClientFactory) {}

  async read(checks: readonly ContainmentCheck[]): Promise<Observation[]> {
    const answers: Observation[] = new Array(checks.length);
    const places = new Map<string, number[]>();
    checks.forEach((c, i) => {
      const key = `${c.accountId}/${c.region}`;
      places.set(key, [...(places.get(key) ?? []), i]);
    });
    await Promise.all(
      [...places.values()].map(async (indexes) => {
        const first = checks[indexes[0]];
        const here = indexes.map((i) => checks[i]);
        let seen: Observation[];
        try {
          const c = await this.clients.clientsFor(first.accountId, first.region, first.incidentId, SERVICES);
          seen = await readPlace(c, here);
        } catch (err) {
          seen = here.map(() => failed(err));
        }
        indexes.forEach((i, j) => {
          answers[i] = seen[j];
        });
      }),
    );
    return answers;
  }
}

function failed(err: unknown, known: readonly (string | undefined)[] = []): Observation {
  return { read: 'error', code: errorCode(err), message: redactErrorMessage((err as Error).message ?? String(err), known) };
}

/** One account and region's checks, each kind read at once. */
async function readPlace(c: ContainmentClients, checks: readonly ContainmentCheck[]): Promise<Observation[]> {
  const of = <K extends Expectation['kind']>(kind: K) => checks.map((ch) => ch.expect).filter((e): e is Kind<K> => e.kind === kind);
  const ownRead = of('interface').filter((e) => e.ownGroupsRead);
  const [interfaces, vpcs, instances, groups, profiles, unvouched, containerInstances, registrations] = await Promise.all([
    batch(() => interfaceGroups(c, unique(of('interface').map((e) => e.interfaceId)))),
    batch(() => groupVpcs(c, unique(ownRead.flatMap((e) => [e.isolation, ...e.ownGroups])))),
    batch(() => instanceStates(c, unique(of('instance').map((e) => e.instanceId)))),
    batch(() => groupRules(c, unique(of('isolation-group').map((e) => e.groupId)))),
    batch(() => profileAssociations(c, unique(of('instance-profile').map((e) => e.instanceId)))),
    batch(() => unvouchedGroups(c, unique(of('unvouched-group').map((e) => e.groupId)))),
    batch(() => containerInstanceStates(c, of('container-instance'))),
    batch(() => ecsRegistrations(c, unique(of('ecs-registration').map((e) => e.instanceId)))),
  ]);
  return Promise.all(
    checks.map(async ({ expect: e }): Promise<Observation> => {
      switch (e.kind) {
        case 'interface':
          if (!e.ownGroupsRead) return fromBatch(interfaces, e.interfaceId, 'network interface', (groups) => ({ read: 'interface', groups }));
          if (!vpcs.ok) return failed(vpcs.error);
          return fromBatch(interfaces, e.interfaceId, 'network interface', (groups) => {
            const vpc = vpcs.found.get(e.isolation);
            const elsewhere = e.ownGroups.filter((g) => !vpc || vpcs.found.get(g) !== vpc).map((id) => ({ id, vpc: vpcs.found.get(id) ?? null }));
            return { read: 'interface', groups, ownGroupsElsewhere: elsewhere };
          });
        case 'instance':
          return fromBatch(instances, e.instanceId, 'instance', (s) => ({ read: 'instance', ...s }));
        case 'isolation-group':
          return fromBatch(groups, e.groupId, 'isolation group', (r) => ({ read: 'group-rules', ...r }));
        case 'unvouched-group':
          return fromBatch(unvouched, e.groupId, 'security group', (g) => ({ read: 'unvouched-group', ...g }));
        case 'container-instance':
          // Its tasks not readable (a read role deployed before this read lacks ecs:ListTasks): unreadable, never in place.
          return fromBatch(containerInstances, e.arn, 'container instance', (ci) => ('error' in ci ? failed(ci.error) : { read: 'container-instance', ...ci }));
        case 'ecs-registration':
          return registrations.ok ? { read: 'ecs-registrations', ...(registrations.found.get(e.instanceId) ?? { found: [] }) } : failed(registrations.error);
        case 'instance-profile':
          // No association is an answer too: the profile is off.
          return profiles.ok ? { read: 'profiles', associated: profiles.found.get(e.instanceId) ?? [] } : failed(profiles.error);
        default:
          return readOne(c, e).catch((err) =>
            failed(
              err,
              e.kind === 'access-key' || e.kind === 'user-key' || e.kind === 'console-sign-in' || e.kind === 'open-user-keys'
                ? [e.userName]
                : e.kind === 'revocation'
                  ? [e.name]
                  : [],
            ),
          );
      }
    }),
  );
}

const unique = (ids: string[]) => [...new Set(ids)];

type Batch<T> = { ok: true; found: Map<string, T> } | { ok: false; error: unknown };

async function batch<T>(fn: () => Promise<Map<string, T>>): Promise<Batch<T>> {
  try {
    return { ok: true, found: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function fromBatch<T>(b: Batch<T>, id: string, what: string, seen: (value: T) => Observation): Observation {
  if (!b.ok) return failed(b.error);
  const value = b.found.get(id);
  return value === undefined ? { read: 'missing', what } : seen(value);
}

/** Every page of a filtered EC2 Describe, the filter's values in chunks EC2 takes. */
async function described<T>(ids: string[], page: (filter: string[], token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += FILTER_VALUES) {
    let token: string | undefined;
    do {
      const got = await page(ids.slice(i, i + FILTER_VALUES), token);
      out.push(...got.items);
      token = got.next;
    } while (token);
  }
  return out;
}

const groupIds = (groups: { GroupId?: string }[] | undefined) => (groups ?? []).map((g) => g.GroupId as string);

async function interfaceGroups(c: ContainmentClients, ids: string[]): Promise<Map<string, string[]>> {
  const filter = (values: string[]): Filter[] => [{ Name: 'network-interface-id', Values: values }];
  const found = await described(ids, async (values, NextToken) => {
    const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filter(values), NextToken }));
    return { items: out.NetworkInterfaces ?? [], next: out.NextToken };
  });
  return new Map(found.map((n) => [n.NetworkInterfaceId as string, groupIds(n.Groups)]));
}

/** The security groups found among `ids` (DescribeSecurityGroups filtered by group id: one not found is left out, not an error). */
const securityGroups = (c: ContainmentClients, ids: string[]) =>
  described(ids, async (values, NextToken) => {
    const out = await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: values }], NextToken }));
    return { items: out.SecurityGroups ?? [], next: out.NextToken };
  });

/** The VPC of each security group found (one filtered DescribeSecurityGroups); a group not found is absent. None asked: no call. */
async function groupVpcs(c: ContainmentClients, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const found = await securityGroups(c, ids);
  return new Map(found.map((g) => [g.GroupId as string, g.VpcId as string]));
}

async function instanceStates(c: ContainmentClients, ids: string[]): Promise<Map<string, { state: string; interfaces: { id: string; groups: string[] }[] }>> {
  const found = await described(ids, async (values, NextToken) => {
    const out = await c.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: values }], NextToken }));
    return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []), next: out.NextToken };
  });
  return new Map(
    found.map((i) => [
      i.InstanceId as string,
      {
        state: i.State?.Name ?? 'unknown',
        interfaces: (i.NetworkInterfaces ?? []).map((n) => ({ id: n.NetworkInterfaceId as string, groups: groupIds(n.Groups) })),
      },
    ]),
  );
}

/** The profiles associated (or being associated) with each instance; an instance with none is absent. */
async function profileAssociations(c: ContainmentClients, ids: string[]): Promise<Map<string, string[]>> {
  const found = await described(ids, async (values, NextToken) => {
    const out = await c.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: values }], NextToken }));
    return { items: out.IamInstanceProfileAssociations ?? [], next: out.NextToken };
  });
  const map = new Map<string, string[]>();
  for (const a of found) {
    if (a.State !== 'associated' && a.State !== 'associating') continue;
    map.set(a.InstanceId as string, [...(map.get(a.InstanceId as string) ?? []), a.IamInstanceProfile?.Arn ?? '(an unnamed profile)']);
  }
  return map;
}

async function groupRules(c: ContainmentClients, ids: string[]): Promise<Map<string, { inbound: number; outbound: number }>> {
  const found = await securityGroups(c, ids);
  return new Map(found.map((g) => [g.GroupId as string, { inbound: (g.IpPermissions ?? []).length, outbound: (g.IpPermissionsEgress ?? []).length }]));
}

/**
 * Groups no record vouches for (core/drift.ts `unvouched-group`): each one's name, rules and
 * `datalek:created-for` tag (one filtered Describe), and the network interfaces in any of them (one
 * more, filtered by group): none, or nothing at all when there is no such group.
 */
async function unvouchedGroups(
  c: ContainmentClients,
  ids: string[],
): Promise<Map<string, { name: string; inbound: number; outbound: number; interfaces: string[]; createdFor: string | null }>> {
  if (ids.length === 0) return new Map();
  const [found, members] = await Promise.all([
    securityGroups(c, ids),
    described(ids, async (values, NextToken) => {
      const out = await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: values }], NextToken }));
      return { items: out.NetworkInterfaces ?? [], next: out.NextToken };
    }),
  ]);
  return new Map(
    found.map((g) => [
      g.GroupId as string,
      {
        name: g.GroupName ?? '(no name)',
        inbound: (g.IpPermissions ?? []).length,
        outbound: (g.IpPermissionsEgress ?? []).length,
        interfaces: members.filter((n) => groupIds(n.Groups).includes(g.GroupId as string)).map((n) => n.NetworkInterfaceId as string),
        createdFor: (g.Tags ?? []).find((t) => t.Key === CREATED_FOR_TAG)?.Value ?? null,
      },
    ]),
  );
}

/** ECS describes up to 100 container instances of one cluster in a call. */
const CONTAINER_INSTANCES_PER_CALL = 100;

/** A container instance as drift reads it: its status, and the network interfaces of its awsvpc tasks with their groups. */
type ContainerInstanceRead = {
  status: string;
  tasks: { id: string; task: string; groups: string[] }[];
  tasksUnread?: string;
};

/**
 * Each drained container instance's status, one Describe per cluster (and hundred); one ECS does not know is
 * absent. And the tasks ECS has on each one not deregistered (`taskInterfacesOf`): a task placed after the
 * last containment run has an interface of its own the record does not hold, which no other read shows.
 */
async function containerInstanceStates(
  c: ContainmentClients,
  drained: Kind<'container-instance'>[],
): Promise<Map<string, ContainerInstanceRead | { error: unknown }>> {
  const byCluster = new Map<string, string[]>();
  for (const d of drained) byCluster.set(d.cluster, unique([...(byCluster.get(d.cluster) ?? []), d.arn]));
  const statuses: { cluster: string; arn: string; status: string }[] = [];
  for (const [cluster, arns] of byCluster) {
    for (let i = 0; i < arns.length; i += CONTAINER_INSTANCES_PER_CALL) {
      try {
        const out = await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(i, i + CONTAINER_INSTANCES_PER_CALL) }));
        for (const ci of out.containerInstances ?? [])
          if (ci.containerInstanceArn) statuses.push({ cluster, arn: ci.containerInstanceArn, status: ci.status ?? 'unknown' });
      } catch (err) {
        // The cluster deleted: its container instances with it (absent); any other failure is no answer.
        if (errorCode(err) !== 'ClusterNotFoundException') throw err;
      }
    }
  }
  return new Map(
    await Promise.all(
      statuses.map(async (ci): Promise<[string, ContainerInstanceRead | { error: unknown }]> => {
        if (ci.status === 'INACTIVE') return [ci.arn, { status: ci.status, tasks: [] }];
        try {
          return [ci.arn, { status: ci.status, ...(await taskInterfacesOf(c, ci)) }];
        } catch (error) {
          return [ci.arn, { error }];
        }
      }),
    ),
  );
}

/** Instance ids in one ListContainerInstances filter (`ec2InstanceId in [...]`): the expression stays short. */
const IDS_PER_FILTER = 50;

type Registrations = { found: { cluster: string; arn: string; status: string }[]; clustersUnread?: string };

/**
 * Where each isolated instance is registered in ECS (contain22): every cluster of the account and region listed
 * (ListClusters, as far as the drain looks: DRAIN_BOUNDS), in each the container instances of these EC2 instances by
 * ECS's cluster query language (`ec2InstanceId in [...]`, paginated), read back by DescribeContainerInstances: only
 * one ECS says is such an instance counts, INACTIVE ones (deregistered) left out. A cluster deleted meanwhile has none.
 * Calls: one ListClusters per 100 clusters, one ListContainerInstances per cluster (and 50 instances, and page), one
 * DescribeContainerInstances per cluster holding one. More clusters than read: `clustersUnread` says so.
 */
async function ecsRegistrations(c: ContainmentClients, instanceIds: string[]): Promise<Map<string, Registrations>> {
  if (instanceIds.length === 0) return new Map();
  const clusters: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page: ListClustersCommandOutput = await c.ecs.send(new ListClustersCommand({ nextToken, maxResults: DRAIN_BOUNDS.pageSize }));
    clusters.push(...(page.clusterArns ?? []));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < DRAIN_BOUNDS.pages);
  const wanted = new Set(instanceIds);
  const found = new Map<string, Registrations['found']>(instanceIds.map((id) => [id, []]));
  for (let i = 0; i < clusters.length; i += DRAIN_BOUNDS.atOnce) {
    await Promise.all(
      clusters.slice(i, i + DRAIN_BOUNDS.atOnce).map(async (cluster) => {
        try {
          const arns: string[] = [];
          for (let j = 0; j < instanceIds.length; j += IDS_PER_FILTER) {
            const filter = `ec2InstanceId in [${instanceIds
              .slice(j, j + IDS_PER_FILTER)
              .map((id) => `'${id}'`)
              .join(', ')}]`;
            let token: string | undefined;
            do {
              const page: ListContainerInstancesCommandOutput = await c.ecs.send(new ListContainerInstancesCommand({ cluster, filter, nextToken: token }));
              arns.push(...(page.containerInstanceArns ?? []));
              token = page.nextToken;
            } while (token);
          }
          for (let k = 0; k < arns.length; k += CONTAINER_INSTANCES_PER_CALL) {
            const out = await c.ecs.send(
              new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(k, k + CONTAINER_INSTANCES_PER_CALL) }),
            );
            for (const ci of out.containerInstances ?? [])
              if (ci.ec2InstanceId && wanted.has(ci.ec2InstanceId) && ci.containerInstanceArn && ci.status !== 'INACTIVE')
                found.get(ci.ec2InstanceId)?.push({ cluster, arn: ci.containerInstanceArn, status: ci.status ?? 'unknown' });
          }
        } catch (err) {
          // Deleted since it was listed: its container instances with it.
          if (errorCode(err) !== 'ClusterNotFoundException') throw err;
        }
      }),
    );
  }
  const clustersUnread = nextToken ? `the region has more than the ${clusters.length} ECS cluster(s) read` : undefined;
  return new Map([...found].map(([id, f]) => [id, { found: f, ...(clustersUnread ? { clustersUnread } : {}) }]));
}

/** Pages of ListTasks (100 each) read per container instance and desired status, as containment reads them (ecs.ts). */
const TASK_PAGES = 5;

/**
 * The network interfaces of the tasks ECS has on a container instance (ListTasks, desired RUNNING and STOPPED: a
 * drained service task runs on desired STOPPED), from DescribeTasks, with their groups (DescribeNetworkInterfaces;
 * one deleted since, its task stopped, is absent). More tasks than read: `tasksUnread` says so.
 */
async function taskInterfacesOf(c: ContainmentClients, ci: { cluster: string; arn: string }): Promise<Omit<ContainerInstanceRead, 'status'>> {
  const arns: string[] = [];
  let tasksUnread: string | undefined;
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await c.ecs.send(new ListTasksCommand({ cluster: ci.cluster, containerInstance: ci.arn, desiredStatus, nextToken, maxResults: 100 }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < TASK_PAGES);
    if (nextToken) tasksUnread = `more tasks desired ${desiredStatus} than read`;
  }
  const taskOf = new Map<string, string>();
  for (let i = 0; i < arns.length; i += 100) {
    const out = await c.ecs.send(new DescribeTasksCommand({ cluster: ci.cluster, tasks: arns.slice(i, i + 100) }));
    for (const task of out.tasks ?? [])
      for (const a of task.attachments ?? [])
        if (a.type === 'ElasticNetworkInterface')
          for (const d of a.details ?? []) if (d.name === 'networkInterfaceId' && d.value) taskOf.set(d.value, task.taskArn as string);
  }
  const groups = taskOf.size ? await interfaceGroups(c, [...taskOf.keys()]) : new Map<string, string[]>();
  const tasks = [...groups].map(([id, g]) => ({ id, task: taskOf.get(id) as string, groups: g }));
  return { tasks, ...(tasksUnread ? { tasksUnread } : {}) };
}

const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'NoSuchBucket',
  'ResourceNotFoundException',
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'InvalidInstanceID.NotFound',
]);

/** A read of one instance's protection, key, policy, bucket, function or database; "not found" as missing, other failures thrown. */
async function readOne(
  c: ContainmentClients,
  e: Exclude<
    Expectation,
    { kind: 'interface' | 'instance' | 'isolation-group' | 'instance-profile' | 'unvouched-group' | 'container-instance' | 'ecs-registration' }
  >,
): Promise<Observation> {
  // `byName`: read by a name that can change, so not found may be renamed (core/drift.ts).
  const absent = async (what: string, fn: () => Promise<Observation>, byName?: true): Promise<Observation> => {
    try {
      return await fn();
    } catch (err) {
      if (NOT_FOUND.has(errorCode(err))) return { read: 'missing', what, ...(byName ? { byName } : {}) };
      throw err;
    }
  };
  switch (e.kind) {
    case 'protection':
      // One attribute per call (the API's rule): two reads per isolated instance.
      return absent('instance', async () => {
        const [termination, shutdown] = await Promise.all([
          c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: e.instanceId, Attribute: 'disableApiTermination' })),
          c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: e.instanceId, Attribute: 'instanceInitiatedShutdownBehavior' })),
        ]);
        return {
          read: 'protection',
          terminationProtected: termination.DisableApiTermination?.Value === true,
          shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'unknown',
        };
      });
    case 'access-key':
      return absent(
        'IAM user of the key',
        async () => {
          const keys = await userKeys(c, e.userName);
          const key = keys.find((k) => k.id === e.accessKeyId);
          // The user's other keys from the same list (no further call): one made with the stolen key is not contained (review12 K7).
          const others = keys.filter((k) => k.id !== e.accessKeyId);
          // Not found (deleted): the other keys all the same, a key made with it outlives it (review13 K4);
          // so do a console password and MFA devices made with it (readA15 A4).
          if (!key) return { read: 'missing', what: 'access key', others, signIn: await signIn(c, e.userName) };
          const status = key.status;
          // Inactive: what else the stolen key may have given its user is judged too (an Active key is drifted whatever else).
          return status === 'Inactive' ? { read: 'key', status, others, signIn: await signIn(c, e.userName) } : { read: 'key', status, others };
        },
        true,
      );
    case 'user-key':
    case 'open-user-keys':
      return absent('IAM user', async () => ({ read: 'user-keys', keys: await userKeys(c, e.userName) }), true);
    case 'credential-source':
      return credentialSource(c, e.instanceId);
    case 'console-sign-in':
      // A user not found: ListMFADevices answers NoSuchEntity (GetLoginProfile's is read as no password).
      return absent('IAM user', async () => ({ read: 'sign-in', signIn: await signIn(c, e.userName) }), true);
    case 'revocation':
      return revocation(c, e);
    case 'public-access-block':
      return absent('bucket', async () => {
        try {
          const out = await c.s3.send(new GetPublicAccessBlockCommand({ Bucket: e.bucket, ExpectedBucketOwner: e.owner }));
          return { read: 'public-access-block', settings: { ...(out.PublicAccessBlockConfiguration ?? {}) } as Record<string, boolean> };
        } catch (err) {
          if (errorCode(err) !== 'NoSuchPublicAccessBlockConfiguration') throw err;
          return { read: 'public-access-block', settings: {} };
        }
      });
    case 'function-concurrency':
      return absent('function', async () => {
        const out = await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: e.functionName }));
        return { read: 'concurrency', reserved: out.ReservedConcurrentExecutions ?? null };
      });
    case 'function-url':
      try {
        const out = await c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: e.functionName }));
        return { read: 'function-url', authType: out.AuthType ?? 'unknown' };
      } catch (err) {
        // No URL any more (or no function: its concurrency check says so): nothing is open through it.
        if (errorCode(err) !== 'ResourceNotFoundException') throw err;
        return { read: 'function-url', authType: 'none: the function has no URL any more' };
      }
    case 'database':
      return absent(
        'database',
        async () => {
          const out = await c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: e.dbInstanceIdentifier }));
          const db = out.DBInstances?.[0];
          return db ? { read: 'database', publiclyAccessible: db.PubliclyAccessible === true } : { read: 'missing', what: 'database', byName: true };
        },
        true,
      );
  }
}

/** Every long-term key of an IAM user (ListAccessKeys, every page): its id, status and when it was made (null when not given). */
async function userKeys(c: ContainmentClients, userName: string): Promise<{ id: string; status: string; created: string | null }[]> {
  const keys: { id: string; status: string; created: string | null }[] = [];
  let Marker: string | undefined;
  do {
    const out = await c.iam.send(new ListAccessKeysCommand({ UserName: userName, Marker }));
    for (const k of out.AccessKeyMetadata ?? [])
      if (k.AccessKeyId) keys.push({ id: k.AccessKeyId, status: k.Status ?? 'unknown', created: k.CreateDate?.toISOString() ?? null });
    Marker = out.IsTruncated ? out.Marker : undefined;
  } while (Marker);
  return keys;
}

/**
 * Whether an instance hands its role's credentials out (core/drift.ts `credential-source`): one DescribeInstances for
 * its state, instance profile and metadata options, and one DescribeSecurityGroups for its interfaces' groups (isolated:
 * every interface in groups with no rule at all). Not found: missing.
 */
async function credentialSource(c: ContainmentClients, instanceId: string): Promise<Observation> {
  const out = await c.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const instance = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) return { read: 'missing', what: 'instance' };
  const interfaces = (instance.NetworkInterfaces ?? []).map((n) => groupIds(n.Groups));
  const ids = unique(interfaces.flat());
  const rules = ids.length ? await groupRules(c, ids) : new Map<string, { inbound: number; outbound: number }>();
  const closed = (g: string) => rules.get(g)?.inbound === 0 && rules.get(g)?.outbound === 0;
  const options = instance.MetadataOptions;
  return {
    read: 'credential-source',
    state: instance.State?.Name ?? 'unknown',
    profile: instance.IamInstanceProfile ? (instance.IamInstanceProfile.Arn ?? '(an unnamed profile)') : null,
    httpTokens: options?.HttpTokens ?? 'not given',
    httpEndpoint: options?.HttpEndpoint ?? 'not given',
    hopLimit: options?.HttpPutResponseHopLimit ?? null,
    interfaces: interfaces.length,
    isolated: interfaces.length > 0 && interfaces.every((groups) => groups.length > 0 && groups.every(closed)),
  };
}

/**
 * What the key's user signs in with besides keys, by when each was made: its console password
 * (GetLoginProfile's CreateDate; NoSuchEntity: none, the user was just listed) and its MFA devices
 * (ListMFADevices's EnableDate). A device's serial number carries the name it was given (often the
 * user's): not kept.
 */
async function signIn(c: ContainmentClients, userName: string): Promise<NonNullable<Extract<Observation, { read: 'key' }>['signIn']>> {
  const password = async () => {
    try {
      const out = await c.iam.send(new GetLoginProfileCommand({ UserName: userName }));
      return { created: out.LoginProfile?.CreateDate?.toISOString() ?? null };
    } catch (err) {
      if (NOT_FOUND.has(errorCode(err))) return null;
      throw err;
    }
  };
  const devices = async () => {
    const out: { enabled: string | null }[] = [];
    let Marker: string | undefined;
    do {
      const page = await c.iam.send(new ListMFADevicesCommand({ UserName: userName, Marker }));
      for (const d of page.MFADevices ?? []) out.push({ enabled: d.EnableDate?.toISOString() ?? null });
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return out;
  };
  const [profile, mfaDevices] = await Promise.all([password(), devices()]);
  return { password: profile, mfaDevices };
}

/**
 * The incident's inline deny on the role or user. IAM answers NoSuchEntity both when the policy and
 * when the principal is missing: then the principal is read, to say which.
 */
async function revocation(c: ContainmentClients, e: Kind<'revocation'>): Promise<Observation> {
  let document: string | undefined;
  try {
    const out =
      e.principal === 'role'
        ? await c.iam.send(new GetRolePolicyCommand({ RoleName: e.name, PolicyName: e.policyName }))
        : await c.iam.send(new GetUserPolicyCommand({ UserName: e.name, PolicyName: e.policyName }));
    document = out.PolicyDocument;
  } catch (err) {
    if (!NOT_FOUND.has(errorCode(err))) throw err;
    try {
      if (e.principal === 'role') await c.iam.send(new GetRoleCommand({ RoleName: e.name }));
      else await c.iam.send(new GetUserCommand({ UserName: e.name }));
    } catch (again) {
      // A role cannot be renamed; a user can (UpdateUser): not found by its name is renamed or deleted.
      if (NOT_FOUND.has(errorCode(again)))
        return e.principal === 'role' ? { read: 'missing', what: 'role' } : { read: 'missing', what: 'IAM user', byName: true };
      throw again;
    }
    return { read: 'missing', what: 'policy' };
  }
  return { read: 'revocation', deniesBefore: deniesBefore(document), deniesAll: deniesAll(document) };
}

/** The statements of an inline policy as IAM returns it (URL-encoded), or null when it cannot be read. */
function statementsOf(document: string | undefined): unknown[] | null {
  if (!document) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.trim().startsWith('{') ? document : decodeURIComponent(document));
  } catch {
    return null;
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  return Array.isArray(statements) ? statements : [statements];
}

/** Whether the document is exactly a deny of everything: one statement, Deny `*` on `*`, no condition (iam-users.ts DENY_ALL_DOCUMENT). */
export function deniesAll(document: string | undefined): boolean {
  const list = statementsOf(document);
  if (list?.length !== 1) return false;
  const s = list[0] as { Effect?: unknown; Action?: unknown; Resource?: unknown; Condition?: unknown };
  return s?.Effect === 'Deny' && everything(s.Action) && everything(s.Resource) && s.Condition === undefined;
}

/** An Action or Resource of `*` alone, as a string or a one-item list. */
function everything(v: unknown): boolean {
  return v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');
}

/**
 * The time before which the document denies every session, when it is exactly the revocation
 * (one statement: Deny `*` on `*` for `aws:TokenIssueTime` before that time); else null. IAM returns
 * the document URL-encoded.
 */
export function deniesBefore(document: string | undefined): string | null {
  const list = statementsOf(document);
  if (list?.length !== 1) return null;
  const s = list[0] as { Effect?: unknown; Action?: unknown; Resource?: unknown; Condition?: unknown };
  if (s?.Effect !== 'Deny' || !everything(s.Action) || !everything(s.Resource)) return null;
  const condition = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!condition || Object.keys(condition).length !== 1) return null;
  const before = condition.DateLessThan;
  if (!before || Object.keys(before).length !== 1) return null;
  const time = before['aws:TokenIssueTime'];
  return typeof time === 'string' ? time : null;
}
