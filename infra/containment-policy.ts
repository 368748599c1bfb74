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
    ...resourceContainmentStatements(partition),
  ];
}

/**
 * The permissions of the containment of ECS tasks, Lambda functions, RDS databases, IAM users'
 * sessions and infected objects and backups (issue #12), in statements of their own. The ECS
 * task's network interfaces are isolated with the statements above (the same swap as an instance's).
 * Release is run by a person with their own credentials, so none of its calls is here.
 */
export function resourceContainmentStatements(partition = 'aws'): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'RevokeIamUserSessions',
      // The only inline user policy containment writes is the session revocation (datalek-revoke-older-sessions).
      actions: ['iam:PutUserPolicy'],
      resources: [`arn:${partition}:iam::*:user/*`],
    }),
    new iam.PolicyStatement({
      sid: 'IsolateEcsTasks',
      actions: ['ecs:DescribeTasks', 'ecs:TagResource'],
      resources: [`arn:${partition}:ecs:*:*:task/*`],
    }),
    new iam.PolicyStatement({
      sid: 'StopLambdaFunctions',
      actions: ['lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency', 'lambda:GetFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
      resources: [`arn:${partition}:lambda:*:*:function:*`],
    }),
    new iam.PolicyStatement({
      sid: 'RestrictRdsInstances',
      actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance', 'rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
      resources: [
        `arn:${partition}:rds:*:*:db:*`,
        `arn:${partition}:rds:*:*:snapshot:datalek-*`,
        `arn:${partition}:rds:*:*:cluster:*`,
        `arn:${partition}:rds:*:*:cluster-snapshot:datalek-*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'TagInfectedObjects',
      actions: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      resources: [`arn:${partition}:s3:::*/*`],
    }),
    new iam.PolicyStatement({
      sid: 'TagInfectedBackups',
      actions: ['ec2:CreateTags', 'backup:TagResource'],
      resources: [`arn:${partition}:ec2:*::snapshot/*`, `arn:${partition}:ec2:*::image/*`, `arn:${partition}:backup:*:*:recovery-point:*`],
    }),
  ];
}

/** Why each of those statements names every resource of its type (cdk-nag AwsSolutions-IAM5). */
export const RESOURCE_CONTAINMENT_REASONS: Record<string, string> = {
  RevokeIamUserSessions: 'writes the session-revocation deny policy on whichever IAM user the finding names; IAM has no condition on the inline policy name',
  IsolateEcsTasks: 'reads and tags whichever ECS task the finding names',
  StopLambdaFunctions: 'sets reserved concurrency 0 and closes the open URL of whichever function the finding names',
  RestrictRdsInstances: "makes private and snapshots whichever database the finding names; snapshots only under datalek's own name prefix",
  TagInfectedObjects: 'tags whichever S3 object version Malware Protection found infected (never deletes it)',
  TagInfectedBackups: 'tags whichever snapshot, AMI or recovery point Malware Protection found infected (never deletes it)',
};
