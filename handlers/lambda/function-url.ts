/**
 * A Lambda function URL (payload format 2.0) as a web request, and the web response as the
 * function URL's result: so the link pages run on the same Hono app on AWS as under `datalek serve`.
 */
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)|image\/svg\+xml)/;

export function functionUrlHandler(fetch: (request: Request) => Response | Promise<Response>) {
  return async (event: LambdaFunctionURLEvent): Promise<APIGatewayProxyStructuredResultV2> => {
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
