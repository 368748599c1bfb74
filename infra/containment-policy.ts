/**
 * What containment may do, as IAM statements: used by the contain function in the pipeline's own
 * account and by the containment role in member accounts, so the two cannot differ. Scoped to
 * resource types and, where AWS allows it, to the pipeline's own groups by tag. Describe calls do
 * not support resource-level permissions, so they are on `*`; every other action names its
 * resource type.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

export function containmentStatements(partition = 'aws'): iam.PolicyStatement[] {
  const ec2 = (type: string) => `arn:${partition}:ec2:*:*:${type}/*`;
  return [
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeIamInstanceProfileAssociations',
        'autoscaling:DescribeAutoScalingInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ProtectAndIsolateInstances',
      actions: ['ec2:ModifyInstanceAttribute', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:DisassociateIamInstanceProfile'],
      resources: [ec2('instance'), ec2('network-interface'), ec2('security-group')],
    }),
    new iam.PolicyStatement({
      sid: 'CreateIsolationGroups',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [ec2('vpc'), ec2('security-group')],
    }),
    new iam.PolicyStatement({
      sid: 'RulesOfOwnGroupsOnly',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resources: [ec2('security-group')],
      conditions: { StringLike: { 'ec2:ResourceTag/datalek:role': 'datalek-*' } },
    }),
    new iam.PolicyStatement({
      sid: 'EvidenceSnapshots',
      actions: ['ec2:CreateSnapshot'],
      resources: [ec2('volume'), `arn:${partition}:ec2:*::snapshot/*`],
    }),
    new iam.PolicyStatement({
      sid: 'TagInstancesSnapshotsAndGroups',
      actions: ['ec2:CreateTags'],
      resources: [ec2('instance'), ec2('security-group'), `arn:${partition}:ec2:*::snapshot/*`],
    }),
    new iam.PolicyStatement({
      sid: 'LeaveAutoScalingGroups',
      actions: ['autoscaling:DetachInstances'],
      resources: [`arn:${partition}:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*`],
    }),
    new iam.PolicyStatement({
      sid: 'LeaveTargetGroups',
      actions: ['elasticloadbalancing:DeregisterTargets'],
      resources: [`arn:${partition}:elasticloadbalancing:*:*:targetgroup/*/*`],
    }),
    new iam.PolicyStatement({
      sid: 'DeactivateKeys',
      actions: ['iam:UpdateAccessKey'],
      resources: [`arn:${partition}:iam::*:user/*`],
    }),
    new iam.PolicyStatement({
      sid: 'RevokeRoleSessions',
      // The only inline policy containment writes is the session revocation; IAM has no condition
      // on the policy name, so this is acknowledged in the cdk-nag checks with that reason.
      actions: ['iam:PutRolePolicy', 'iam:GetInstanceProfile'],
      resources: [`arn:${partition}:iam::*:role/*`, `arn:${partition}:iam::*:instance-profile/*`],
    }),
    new iam.PolicyStatement({
      sid: 'BlockPublicBuckets',
      actions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      resources: [`arn:${partition}:s3:::*`],
    }),
  ];
}
