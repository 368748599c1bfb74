/**
 * A request signed with the caller's credentials (SigV4), for the acknowledgement sent to the
 * pipeline's function URL (signed-ack.ts): in a module of its own, loaded for that one request.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

type HttpRequest = Parameters<SignatureV4['sign']>[0];

/** A request signed (SigV4) with the credentials this process finds, as the AWS CLI would. */
export function signWithCallerCredentials(region: string, service: string, request: HttpRequest) {
  const signer = new SignatureV4({ credentials: defaultProvider(), region, service, sha256: Sha256 });
  return signer.sign(request);
}
