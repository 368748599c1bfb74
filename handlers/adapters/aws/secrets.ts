/**
 * Secrets Manager's GetSecretValue, as one SigV4-signed POST with fetch: the functions that read a
 * secret (the acknowledgement link key, the pager's keys) do so once per cold start, and a whole
 * SDK client for one call would weigh on every bundle that only might need it. The endpoint is the
 * SDK's own: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL` (an emulator), else AWS.
 *
 * A secret is read when it is first needed and kept for `SECRET_CACHE_MS`, so a rotated value is
 * picked up within minutes without a call per message.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigurationError, DatalekError } from '../../core/errors.js';
import { oneLine } from '../../core/text.js';
import { type PagerSecretSource, parsePagerSecrets } from '../pager/index.js';

export const SECRET_CACHE_MS = 5 * 60_000;

/** Secrets Manager answered with an error (its `__type`, e.g. ResourceNotFoundException, AccessDeniedException). */
export class SecretReadError extends DatalekError {
  constructor(
    readonly secretId: string,
    readonly code: string,
    message: string,
  ) {
    super(`cannot read secret ${secretId}: ${code}: ${message}`);
  }
}

export interface SecretReaderOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
  /** @default the SDK's credential chain (in Lambda: the function's role) */
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  fetch?: typeof fetch;
  now?: () => number;
}

/** Returns a reader of one secret's text, cached for `SECRET_CACHE_MS`. */
export function secretReader(secretId: string, options: SecretReaderOptions): () => Promise<string> {
  if (!secretId) throw new ConfigurationError('a secret id (name or ARN) is required');
  const env = options.env ?? process.env;
  const endpoint = (env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL ?? `https://secretsmanager.${options.region}.amazonaws.com`).replace(
    /\/+$/,
    '',
  );
  const now = options.now ?? Date.now;
  let cached: { value: string; at: number } | null = null;
  let signer: SignatureV4 | null = null;
  return async () => {
    if (cached && now() - cached.at < SECRET_CACHE_MS) return cached.value;
    signer ??= new SignatureV4({ credentials: options.credentials ?? defaultProvider(), region: options.region, service: 'secretsmanager', sha256: Sha256 });
    const url = new URL(`${endpoint}/`);
    const body = JSON.stringify({ SecretId: secretId });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body,
    });
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body,
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    let parsed: { SecretString?: unknown; __type?: unknown; message?: unknown; Message?: unknown } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // An answer that is not JSON: reported below with its status.
    }
    if (!response.ok) {
      const code = typeof parsed.__type === 'string' ? parsed.__type.split('#').pop() || 'Error' : `HTTP ${response.status}`;
      throw new SecretReadError(secretId, code, oneLine(parsed.message ?? parsed.Message ?? text).slice(0, 200));
    }
    if (typeof parsed.SecretString !== 'string' || !parsed.SecretString) {
      throw new SecretReadError(secretId, 'NoSecretString', 'the secret has no text value (SecretString)');
    }
    cached = { value: parsed.SecretString, at: now() };
    return parsed.SecretString;
  };
}

/** The acknowledgement link key, kept as a secret's text (the CDK app generates 64 characters). */
export function secretKey(read: () => Promise<string>): () => Promise<Buffer> {
  return async () => Buffer.from((await read()).trim(), 'utf8');
}

/**
 * The pager's keys, as one JSON secret: `{"routingKey": "…"}` or `{"apiKey": "…"}`. A deployment
 * from before the webhook secret had a secret of its own also holds `"webhookSecret"` here; the
 * functions that read this secret (notify, sweep) never use it.
 */
export function secretsManagerPagerSecrets(secretId: string, region: string, env: NodeJS.ProcessEnv = process.env): PagerSecretSource {
  const read = secretReader(secretId, { region, env });
  return { describe: `secret ${secretId}`, load: async () => parsePagerSecrets(await read(), `secret ${secretId}`) };
}

/**
 * The pager's webhook secret, alone in a secret of its own, as text: what the public link function
 * checks webhooks with, so that it never holds the keys that page on-call. A JSON object there (the
 * pager's keys pasted in whole) is refused by name rather than used: it would put those keys within
 * the link function's reach, and no webhook signature could match it anyway.
 */
export function secretsManagerWebhookSecret(secretId: string, region: string, env: NodeJS.ProcessEnv = process.env): () => Promise<string | undefined> {
  const read = secretReader(secretId, { region, env });
  return async () => {
    const text = (await read()).trim();
    if (text.startsWith('{')) {
      throw new SecretReadError(secretId, 'NotText', "it holds JSON: put the webhook secret alone in it, as text, never the pager's keys (README, Deploy)");
    }
    return text || undefined;
  };
}
