/** Secrets Manager calls to moto, signed as the SDK signs them (the functions read secrets with one signed POST too). */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { type Moto, TEST_REGION } from './moto.js';

/** One Secrets Manager call (`CreateSecret`, `PutSecretValue` …) to moto; its answer. */
export async function secretsManager(moto: Moto, target: string, body: Record<string, unknown>) {
  const url = new URL(`${moto.endpoint}/`);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    region: TEST_REGION,
    service: 'secretsmanager',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${target}` },
    body: text,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body: text });
  if (!res.ok) throw new Error(`${target}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { ARN: string };
}
