/**
 * fgsec12 S4 (review11): `minimise` removes a malware scan's infected file paths and names (kind
 * `file-path`: "a file name can name a person"). GuardDuty Malware Protection for S3
 * (`Object:S3/MaliciousFile`, events/35) names the infected file as the S3 object itself, in the
 * resource: `s3BucketDetails[].s3ObjectDetails[]` `key` and `objectArn`. Inside `resource` minimise
 * removed only a credential's user, so a citizen's upload named after them stayed in the stored
 * finding for ever while the same name found by an EBS scan went (Art. 5(1)(c), (e)). Now the key
 * and the ARN go as a file name does; the bucket, the version and the hash stay, and the kind named
 * on the page and in the report is "file paths and names".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MINIMISED, minimiseDetail, removedKinds } from '../../handlers/core/minimise.js';

const KEY = 'aanvragen/2026/11/paspoort-j-jansen-19800101.pdf';

it('an infected S3 object named after a person is minimised as an infected EBS file is; the bucket stays', () => {
  const event = JSON.parse(readFileSync(join(import.meta.dirname, '../../events/35-s3-object-malware-upload.json'), 'utf8'));
  const object = event.detail.resource.s3BucketDetails[0].s3ObjectDetails[0];
  object.key = KEY;
  object.objectArn = `arn:aws:s3:::intake-uploads/${KEY}`;
  // The description repeats the name, as GuardDuty's own text for the finding can.
  event.detail.description = `The object ${KEY} in bucket intake-uploads is malicious.`;
  const { detail, paths } = minimiseDetail(event.detail);
  const text = JSON.stringify(detail);
  expect(text).not.toContain('paspoort-j-jansen');
  // The bucket is the organisation's and stays; the object's name is the uploader's.
  const bucket = (detail.resource as typeof event.detail.resource).s3BucketDetails[0];
  expect(bucket).toMatchObject({ name: 'intake-uploads', arn: 'arn:aws:s3:::intake-uploads' });
  expect(bucket.s3ObjectDetails[0]).toMatchObject({ key: MINIMISED, objectArn: MINIMISED, versionId: object.versionId, hash: object.hash });
  expect(detail.description).toBe(`The object ${MINIMISED} in bucket intake-uploads is malicious.`);
  expect(removedKinds(paths)).toEqual(['file-path']);
  // A tag's key elsewhere in the resource is the organisation's, not a file name.
  expect(minimiseDetail({ resource: { instanceDetails: { tags: [{ key: 'Owner', value: 'team-intake' }] } } }).paths).toEqual([]);
});
