/** The S3 client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { S3Client as Client } from '@aws-sdk/client-s3';
