/** The AWS Backup client, in a module of its own: loaded when a containment action first needs it (see ../clients.ts). */
export { BackupClient as Client } from '@aws-sdk/client-backup';
