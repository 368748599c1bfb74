/**
 * review9 attack K2: `datalek minimise` leaves an EKS caller's session name (GuardDuty's
 * `resource.kubernetesDetails.kubernetesUserDetails.sessionName`, for an IAM-authenticated user the
 * role session: often the person's e-mail address from SSO) in the stored finding, while it removes
 * the user name beside it and show/the register say the personal data was removed. Inside `resource`
 * only RESOURCE_PERSONAL_FIELDS go, and the second pass (values removed, looked for elsewhere) never
 * searches `resource` (OWN_IDENTIFIERS): the address survives even though the user name, whose ARN
 * names it, was removed.
 * Regression test for review9 K2, with the other personal fields found missed the same way: the EKS
 * caller's uid (its IAM principal id) and Runtime Monitoring's effective user id (`euid`).
 */
import { describe, expect, it } from 'vitest';
import { assess, closeIncident, recordFacts } from '../../handlers/core/fg-workflow.js';
import { sha256 } from '../../handlers/core/hash.js';
import type { FindingRecord } from '../../handlers/core/incident.js';
import { storedText } from '../../handlers/core/ledger.js';
import { minimiseClosed, minimiseDetail, personalDataLeft, removedKinds } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { storeMinimisedAsBefore } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const detail = () => ({
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'eu-west-1',
  id: 'eks-sso-user',
  type: 'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
  severity: 8,
  title: 'Privileged container with root level access launched on EKS Cluster zorgplatform-prod.',
  resource: {
    resourceType: 'EKSCluster',
    eksClusterDetails: { name: 'zorgplatform-prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/zorgplatform-prod' },
    kubernetesDetails: {
      kubernetesUserDetails: {
        username: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123/jan.jansen@example.nl',
        uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEID',
        groups: ['system:authenticated'],
        sessionName: ['jan.jansen@example.nl'],
        impersonatedUser: { username: 'jan', groups: ['system:masters'] },
      },
      kubernetesWorkloadDetails: { name: 'debug', uid: 'pod-uid-0001', namespace: 'default' },
    },
  },
  service: {
    action: {
      actionType: 'KUBERNETES_API_CALL',
      kubernetesApiCallAction: { requestUri: '/api/v1/namespaces/default/pods', verb: 'create', sourceIps: ['198.51.100.42'], statusCode: 201 },
    },
    runtimeDetails: {
      process: { name: 'sh', executablePath: '/bin/sh', user: 'root', userId: 0, euid: 1000, lineage: [{ name: 'bash', euid: 1000, userId: 1000 }] },
    },
  },
});

/**
 * A closed incident whose EKS finding was minimised as main did before the session name, the uid
 * and the euids were known personal (a commit as minimise makes one).
 */
async function minimisedBeforeTheFix(store: ReturnType<typeof tempSqliteStore>['store']) {
  const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:15:00.000Z', canEnforce: false };
  const d = detail();
  const event = findingEvent({ id: d.id, type: d.type, createdAt: '2026-01-10T09:00:00Z', resource: d.resource, service: d.service });
  const incidentId = (await recordEvent(deps, event)).incidentId as string;
  await assess(deps, { incidentId, personalData: 'no', risk: 'none', reason: 'test', by: 'FG' });
  await closeIncident(deps, { incidentId, reason: 'afgehandeld', by: 'FG' });
  // Minimised as main did before this fix: the session name, the uid and the euids kept (a commit as minimise makes one).
  const key = { accountId: event.detail.accountId, region: event.detail.region, findingId: d.id };
  let removedThen: string[] = [];
  const { old } = await storeMinimisedAsBefore(store, incidentId, key, { at: '2026-08-01T00:00:00.000Z', afterDays: 180 }, (old) => {
    const user = (old.detail.resource as typeof d.resource).kubernetesDetails.kubernetesUserDetails;
    Object.assign(user, { sessionName: ['jan.jansen@example.nl'], uid: d.resource.kubernetesDetails.kubernetesUserDetails.uid });
    const runtime = (old.detail.service as { runtimeDetails: { process: { euid: unknown; lineage: { euid: unknown }[] } } }).runtimeDetails.process;
    runtime.euid = 1000;
    runtime.lineage[0].euid = 1000;
    removedThen = (old.minimised?.removed ?? []).filter((p) => !/sessionName|kubernetesUserDetails\.uid|euid/.test(p));
    old.minimised = { at: '2026-08-01T00:00:00.000Z', by: 'FG', from: old.minimised?.from as string, removed: removedThen };
  });
  return { incidentId, key, removedThen, old };
}

describe('K2: minimising an EKS finding of an SSO user', () => {
  it('removes the user name and the session name that is the same person', () => {
    const { detail: out, paths } = minimiseDetail(detail());
    expect(paths).toContain('resource.kubernetesDetails.kubernetesUserDetails.username');
    expect(JSON.stringify(out)).not.toContain('jan.jansen@example.nl');
    const user = (out.resource as { kubernetesDetails: { kubernetesUserDetails: Record<string, unknown> } }).kubernetesDetails.kubernetesUserDetails;
    // Its uid is the IAM principal's id; the groups are no person's; the pod's uid is the organisation's.
    expect(user).toEqual({
      username: '(minimised)',
      uid: '(minimised)',
      groups: ['system:authenticated'],
      sessionName: '(minimised)',
      impersonatedUser: { username: '(minimised)', groups: ['system:masters'] },
    });
    expect(JSON.stringify(out)).toContain('pod-uid-0001');
    expect(removedKinds(paths)).toEqual(expect.arrayContaining(['user-name', 'principal-id']));
  });

  it("removes a process's effective user id as its user id (Runtime Monitoring)", () => {
    const { paths } = minimiseDetail(detail());
    expect(paths).toEqual(expect.arrayContaining(['service.runtimeDetails.process.euid', 'service.runtimeDetails.process.lineage[].euid']));
  });

  it('verify finds the session name left in a record that says it is minimised (as main stores it)', () => {
    const asStored = detail();
    asStored.resource.kubernetesDetails.kubernetesUserDetails.username = '(minimised)';
    const stored = JSON.stringify({ minimised: { at: 'x', by: 'fg', from: 'h', removed: [] }, detail: asStored });
    expect(personalDataLeft(stored)).toContain('resource.kubernetesDetails.kubernetesUserDetails.sessionName');
  });

  it('a record minimised before the session name was known personal is minimised again: verify names it, minimise removes it, verify is clean', async () => {
    const t = tempSqliteStore();
    try {
      const { store } = t;
      const { incidentId, key, removedThen } = await minimisedBeforeTheFix(store);
      const before = await verifyStore(store, { now: '2026-09-01T00:00:00.000Z' });
      expect(JSON.stringify(before.problems)).toContain('kubernetesUserDetails.sessionName');

      const at = () => '2026-09-01T00:00:00.000Z';
      const report = await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      expect(report.minimised.map((m) => ({ findings: m.findings, already: m.already }))).toEqual([{ findings: 1, already: 0 }]);
      const now = (await store.getFinding(key)) as FindingRecord;
      expect(JSON.stringify(now)).not.toContain('jan.jansen@example.nl');
      expect(now.minimised?.removed).toEqual(expect.arrayContaining([...removedThen, 'resource.kubernetesDetails.kubernetesUserDetails.sessionName']));
      expect((await store.getIncident(incidentId))?.minimised?.findings).toBe(1);
      const after = await verifyStore(store, { now: '2026-09-01T00:00:00.000Z' });
      expect(after.problems).toEqual([]);
      // Minimised once more: nothing left, so nothing changes.
      const again = await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      expect(again.minimised).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('read10a A3: such a record is minimised again whatever was recorded after closing; verify is clean, the rest waits for the period', async () => {
    const t = tempSqliteStore();
    try {
      const { store } = t;
      const { incidentId } = await minimisedBeforeTheFix(store);
      // The AP asks about the breach: facts corrected after closing (and after the first minimise) hold the incident's findings 180 days more.
      await recordFacts(
        { store, policy: DEFAULT_POLICY, now: () => '2026-08-20T09:00:00.000Z' },
        { incidentId, by: 'FG', measuresTaken: 'toegang van het account ingetrokken', reason: 'vraag van de AP' },
      );
      const at = () => '2026-09-01T00:00:00.000Z';
      const report = await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      expect(report.minimised).toEqual([expect.objectContaining({ incidentId, findings: 1, kept: expect.stringMatching(/recorded after closing/) })]);
      expect(report.notYet).toBe(1);
      expect((await verifyStore(store, { now: '2026-09-01T00:00:00.000Z' })).problems).toEqual([]);
      // Nothing minimised before is left to minimise again: the incident named is refused, as before.
      await expect(minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180, only: incidentId })).rejects.toThrow(
        /recorded after closing/,
      );
    } finally {
      await t.cleanup();
    }
  });

  it('read10a A4: minimised again, the record keeps no hash that gives the session name back (each minimisation gets a fresh salt)', async () => {
    const t = tempSqliteStore();
    try {
      const { store } = t;
      // Minimised by this code, a field found personal later (the session name stands in for it).
      const { key, old } = await minimisedBeforeTheFix(store);
      expect(old.salt).toEqual(expect.any(String));
      const at = () => '2026-09-01T00:00:00.000Z';
      await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      const now = (await store.getFinding(key)) as FindingRecord;
      expect(now.salt).toEqual(expect.any(String));
      expect(now.salt).not.toBe(old.salt);
      // Whoever holds the store puts the guessed address back into the record as it stands: without the salt it had, no hash matches.
      const { salt: _gone, ...unsalted } = old;
      expect(now.minimised?.from).toBe(sha256(storedText.finding(old)));
      expect(sha256(storedText.finding(unsalted as FindingRecord))).not.toBe(now.minimised?.from);
    } finally {
      await t.cleanup();
    }
  });
});
