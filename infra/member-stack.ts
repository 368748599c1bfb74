/**
 * For each member account of a GuardDuty delegated administrator setup: the containment role the
 * pipeline assumes there, trusted only by the pipeline's contain function role, with exactly the
 * containment permissions the function has at home.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { containmentStatements } from './containment-policy.js';
import { CONTAIN_ROLE_NAME } from './response-stack.js';

export interface MemberStackProps extends StackProps {
  pipelineAccount: string;
  roleName: string;
}

export class MemberStack extends Stack {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    this.role = new iam.Role(this, 'ContainmentRole', {
      roleName: props.roleName,
      description: 'datalek: containment in this account, assumed by the pipeline in the GuardDuty administrator account',
      assumedBy: new iam.ArnPrincipal(`arn:${this.partition}:iam::${props.pipelineAccount}:role/${CONTAIN_ROLE_NAME}`),
      maxSessionDuration: undefined,
    });
    for (const statement of containmentStatements(this.partition)) this.role.addToPolicy(statement);
  }
}
