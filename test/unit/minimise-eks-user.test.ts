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
import { minimiseDetail, personalDataLeft, removedKinds } from '../../handlers/core/minimise.js';

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
});
