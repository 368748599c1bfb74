/**
 * An isolation of an EKS worker node as the AWS containment adapter records it once done: captured
 * from a real run on moto (review3 attack §9) of `isolate-instance` with `revokeInstanceCredentials`
 * on an instance with 8 network interfaces and 3 volumes (an m5.4xlarge's most interfaces), its 16
 * steps and the evidence to undo it, about 4.9 KB. `nodeIsolation` gives it for another instance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRecord } from '../../handlers/core/incident.js';

const CAPTURED = readFileSync(join(import.meta.dirname, 'node-isolation-record.json'), 'utf8');
const CAPTURED_INSTANCE = 'i-86bf041c3177e4b2c';
const CAPTURED_FINDING = 'e'.repeat(32);

/** The done isolation of `instanceId`, planned for `findingId`, with the captured record's steps and evidence. */
export function nodeIsolation(instanceId: string, findingId: string): ActionRecord {
  return JSON.parse(CAPTURED.split(CAPTURED_INSTANCE).join(instanceId).split(CAPTURED_FINDING).join(findingId)) as ActionRecord;
}
