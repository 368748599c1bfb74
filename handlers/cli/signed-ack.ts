/**
 * `datalek ack ID --target aws` with `DATALEK_ACK_URL` set: a POST to the acknowledgement function
 * URL, signed with the caller's AWS credentials (SigV4, service `lambda`). Lambda verifies the
 * signature and the handler records the signed identity as the acknowledger; no name is sent.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UsageError } from './errors.js';

export interface AckResponse {
  status: number;
  body: { incidentId?: string; changed?: boolean; acknowledgedBy?: string; acknowledgedAt?: string; error?: string };
}

export async function signedAcknowledge(url: string, region: string, input: { incidentId: string; note?: string }): Promise<AckResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UsageError(`DATALEK_ACK_URL is not a URL: ${JSON.stringify(url)}`);
  }
  const body = JSON.stringify({ incidentId: input.incidentId, ...(input.note ? { note: input.note } : {}) });
  const signer = new SignatureV4({ credentials: defaultProvider(), region, service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    headers: { host: target.host, 'content-type': 'application/json' },
    body,
  });
  // Bounded like every other call to AWS: a hung endpoint ends with an error, not a hung terminal.
  const response = await fetch(target, { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: AckResponse['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { status: response.status, body: parsed };
}
