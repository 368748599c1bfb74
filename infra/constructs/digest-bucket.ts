/**
 * Where the anchor's digests live (handlers/lambda/anchor.ts): an S3 bucket with Object Lock in
 * compliance mode, so that no one, the account's root user included, can change or delete a digest
 * before its retention ends; and the asymmetric KMS key that signs them, which never leaves KMS.
 * Someone who can write the incidents table can then neither rewrite the digests nor sign new ones
 * that match a rewritten table.
 *
 * Object Lock alone does not stop an administrator of the account: a DELETE without a version id
 * puts a delete marker over the newest digests (the lock allows it, and listing then skips them),
 * and whoever may call kms:Sign and s3:PutObject can put forged digests in their place. So the
 * bucket policy lets only the anchor function's role write digests, only under new names
 * (If-None-Match), and only the break-glass role delete, and only those or the stack's deployments
 * change the bucket's policy, lifecycle or lock settings; the signing key signs only for the
 * anchor function's role.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { breakGlassRoleArn, policyChangers, protectKey } from './protected-key.js';
import { functionRoleName } from './response-function.js';

export interface DigestBucketProps {
  /** Years each digest is locked: as long as the register is kept. */
  retentionYears: number;
  /** The role that alone may delete or disable the signing key. */
  breakGlassRole: string;
}

/** The bucket's fixed name, so the response stack finds it without an export. */
export function digestBucketName(account: string, region: string): string {
  return `datalek-digests-${account}-${region}`;
}

/** Where in the bucket the pipeline's digests go. */
export const DIGEST_PREFIX = 'digests/';

export class DigestBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly signingKey: kms.Key;

  constructor(scope: Construct, id: string, props: DigestBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: digestBucketName(stack.account, stack.region),
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(365 * props.retentionYears)),
      versioned: true,
      // Digests hold hashes and signatures only: no personal data to keep under the pipeline's key.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: 'datalek: signs the digests of the breach register (datalek anchor)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    protectKey(this.signingKey, props.breakGlassRole);

    const anchorRole = `arn:${stack.partition}:iam::${stack.account}:role/${functionRoleName('anchor')}`;
    const objects = this.bucket.arnForObjects('*');
    const denyUnless = (sid: string, actions: string[], resources: string[], principals: string[]) =>
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions,
        resources,
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': principals } },
      });
    this.bucket.addToResourcePolicy(denyUnless('OnlyTheAnchorWritesDigests', ['s3:PutObject'], [objects], [anchorRole]));
    // And only as a new name (If-None-Match: *, as the anchor writes): the anchor role's code
    // replaced could otherwise put a new version over a digest. Object Lock keeps the old version
    // and verify reads every version, but the overwrite is refused here first (S3's "Enforce
    // conditional writes"; multipart uploads, which the anchor never makes, are refused with it).
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DigestsAreNeverWrittenOver',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      denyUnless('OnlyBreakGlassDeletesDigests', ['s3:DeleteObject', 's3:DeleteObjectVersion'], [objects], [breakGlassRoleArn(this, props.breakGlassRole)]),
    );
    this.bucket.addToResourcePolicy(
      denyUnless(
        'OnlyBreakGlassOrDeploymentChangesProtection',
        ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutLifecycleConfiguration', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning'],
        [this.bucket.bucketArn],
        policyChangers(this, props.breakGlassRole),
      ),
    );
    this.signingKey.addToResourcePolicy(denyUnless('OnlyTheAnchorSigns', ['kms:Sign'], ['*'], [anchorRole]));
  }
}

/**
 * What the anchor function may do, and no more: write digests under the prefix and read the last
 * one back (Object Lock refuses overwrites and deletes anyway), list the prefix (a digest written
 * after the last one the table records: one its run did not live to record, or a table rolled
 * back behind its digests), and sign with the key. Under the same prefix it writes the index of
 * the heads anchored (`anchored/<incident>/`, write-once objects too) and lists one incident's of
 * it at a time: the table keeps no anchored set a writer of it could not change.
 */
export function anchorStatements(digestObjectsArn: string, signingKeyArn: string): iam.PolicyStatement[] {
  // `arn:…:s3:::bucket/prefix/*`: the bucket, and the prefix its listings may ask for.
  const [bucketArn, ...rest] = digestObjectsArn.split('/');
  const prefix = `${rest.join('/').replace(/\*$/, '')}`;
  return [
    new iam.PolicyStatement({ sid: 'OwnDigests', actions: ['s3:PutObject', 's3:GetObject'], resources: [digestObjectsArn] }),
    new iam.PolicyStatement({
      sid: 'ListDigests',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringEquals: { 's3:prefix': [prefix] } },
    }),
    new iam.PolicyStatement({
      sid: 'ListAnchoredHeads',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}anchored/*`] } },
    }),
    new iam.PolicyStatement({ sid: 'SignDigests', actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [signingKeyArn] }),
  ];
}
