/**
 * For each member account of a GuardDuty delegated administrator setup: the containment role the
 * pipeline assumes there, with exactly the containment permissions the function has at home.
 *
 * Trust: the pipeline's account (by number, so a redeployed contain function role is still
 * trusted), and within it only the contain function's role (`aws:PrincipalArn`); with an
 * organisation id also only from inside the organisation (`aws:PrincipalOrgID`). A role ARN as
 * principal would break when that role is recreated (IAM stores the role's unique id), and the
 * member's own account must never be the trusted one.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { applyBoundary } from './boundary.js';
import { containmentStatements } from './containment-policy.js';
import { CONTAIN_ROLE_NAME } from './response-stack.js';

export interface MemberStackProps extends StackProps {
  pipelineAccount: string;
  roleName: string;
  /** The regions whose findings the pipeline answers. */
  regions: string[];
  /** @default no organisation condition */
  organizationId?: string;
  /** Roles containment must never write to (configured names). */
  protectedRoles: string[];
}

export class MemberStack extends Stack {
  public readonly role: iam.Role;
  public readonly boundary: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': `arn:${this.partition}:iam::${props.pipelineAccount}:role/${CONTAIN_ROLE_NAME}` },
    };
    if (props.organizationId) conditions.StringEquals = { 'aws:PrincipalOrgID': props.organizationId };
    this.role = new iam.Role(this, 'ContainmentRole', {
      roleName: props.roleName,
      description: 'datalek: containment in this account, assumed by the pipeline in the GuardDuty administrator account',
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions(conditions),
    });
    const statements = containmentStatements({
      partition: this.partition,
      account: this.account,
      regions: props.regions,
      protectedRoles: props.protectedRoles,
    });
    for (const statement of statements) this.role.addToPolicy(statement);
    // The boundary allows no more than containment, whatever policy is later put on the role.
    this.boundary = applyBoundary(this, 'datalek-containment-boundary', statements);
  }
}
