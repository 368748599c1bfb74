/**
 * A Lambda function URL (payload format 2.0) as a web request, and the web response as the
 * function URL's result: so the link pages run on the same Hono app on AWS as under `datalek serve`.
 */
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)|image\/svg\+xml)/;

export function functionUrlHandler(fetch: (request: Request) => Response | Promise<Response>) {
  return async (event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    const problem = notAFunctionUrlRequest(event);
    if (problem) {
      return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `not a function URL request: ${problem}\n` };
    }
    const method = event.requestContext.http.method;
    const url = `https://${event.requestContext.domainName}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
    if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
    const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined;
    const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body as string, 'base64') : (event.body as string)) : undefined;
    const response = await fetch(new Request(url, { method, headers, body }));
    const type = response.headers.get('content-type') ?? '';
    const text = TEXT_TYPES.test(type);
    const bytes = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') out[name] = value;
    });
    return {
      statusCode: response.status,
      headers: out,
      body: text ? bytes.toString('utf8') : bytes.toString('base64'),
      isBase64Encoded: !text,
    };
  };
}

/**
 * What a function URL always sends and this handler reads, checked first: an invocation of the
 * function by other means (a test event, a mistaken target) gets a 400 that names the missing field
 * rather than a TypeError.
 */
function notAFunctionUrlRequest(event: unknown): string | null {
  const e = event as Partial<LambdaFunctionURLEvent> | null;
  if (typeof e !== 'object' || e === null) return 'the event is not an object';
  if (typeof e.requestContext?.http?.method !== 'string') return 'requestContext.http.method is missing';
  if (typeof e.requestContext.domainName !== 'string') return 'requestContext.domainName is missing';
  if (typeof e.rawPath !== 'string' || !e.rawPath.startsWith('/')) return 'rawPath is missing';
  if (e.body !== undefined && typeof e.body !== 'string') return 'body is not a string';
  return null;
}
