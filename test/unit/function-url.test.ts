/**
 * The link function is public; anything may invoke it by other means too (a console test event, a
 * mistaken rule target). What it reads of a function URL's request is checked first.
 */
import { describe, expect, it } from 'vitest';
import { functionUrlHandler } from '../../handlers/lambda/function-url.js';

const handler = functionUrlHandler(
  (request) => new Response(`${request.method} ${new URL(request.url).pathname}`, { headers: { 'content-type': 'text/plain' } }),
);

describe('a function URL request', () => {
  it.each([
    ['null', null, 'the event is not an object'],
    ['an EventBridge event', { source: 'aws.guardduty', detail: {} }, 'requestContext.http.method is missing'],
    ['no domain', { requestContext: { http: { method: 'GET' } }, rawPath: '/' }, 'requestContext.domainName is missing'],
    ['no path', { requestContext: { http: { method: 'GET' }, domainName: 'x.lambda-url.eu-west-1.on.aws' } }, 'rawPath is missing'],
    ['a body that is not text', { requestContext: { http: { method: 'POST' }, domainName: 'x' }, rawPath: '/ack/t', body: { a: 1 } }, 'body is not a string'],
  ])('%s gets a 400 naming what is missing, not a crash', async (_, event, problem) => {
    const out = await handler(event as never);
    expect(out.statusCode).toBe(400);
    expect(out.body).toBe(`not a function URL request: ${problem}\n`);
  });

  it('is passed on when it is one', async () => {
    const out = await handler({
      requestContext: { http: { method: 'GET' }, domainName: 'x.lambda-url.eu-west-1.on.aws' },
      rawPath: '/ack/t',
      headers: {},
    } as never);
    expect(out).toMatchObject({ statusCode: 200, body: 'GET /ack/t' });
  });
});
