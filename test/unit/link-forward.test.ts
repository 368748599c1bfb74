/**
 * What the public link function forwards of a request, and what it does with the answer: only what
 * the checks read (the token in the path, the form's two fields, a webhook's raw body and signature
 * headers, the browser's Origin), never a cookie, another header or the caller's address; an answer
 * that is not a link response, or none, is a 500 whose log names the route, never the token.
 */
import { describe, expect, it } from 'vitest';
import { createLinkForwarder, type LinkRequest, parseLinkRequest } from '../../handlers/web/link-forward.js';

const ORIGIN = 'https://abcdefghij0123456789abcdefghij01.lambda-url.eu-west-1.on.aws';
const TOKEN = 'eyJpbmNpZGVudElkIjoiZGwtMCJ9.c2lnbmF0dXJl';

function forwarder(answer: (request: LinkRequest) => unknown) {
  const sent: LinkRequest[] = [];
  const logged: string[] = [];
  const app = createLinkForwarder({
    apply: async (request) => {
      sent.push(request);
      return answer(request);
    },
    log: (line) => logged.push(line),
  });
  return { app, sent, logged };
}
const page = { status: 200, contentType: 'text/html; charset=UTF-8', body: '<h1>Oppakken</h1>' };

describe('the link forwarder', () => {
  it('forwards a press as its token, its form’s two fields, the browser’s origin and the language; nothing else of the request', async () => {
    const { app, sent } = forwarder(() => page);
    const res = await app.request(`${ORIGIN}/ack/${TOKEN}?lang=en&utm=x`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: ORIGIN,
        cookie: 'session=abc',
        'user-agent': 'phone',
        'x-forwarded-for': '192.0.2.1',
        authorization: 'Bearer x',
      },
      body: 'by=Anna&note=on+it&incidentId=dl-other&verified=true',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>Oppakken</h1>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(sent).toEqual([
      { method: 'POST', origin: ORIGIN, path: `/ack/${TOKEN}`, lang: 'en', headers: { origin: ORIGIN }, form: { by: 'Anna', note: 'on it' } },
    ]);
    // What it sends is what the trusted side takes.
    expect(parseLinkRequest(JSON.parse(JSON.stringify(sent[0])))).toEqual({ ok: true, request: sent[0] });
  });

  it('forwards a webhook’s body byte for byte with its signature header, and opening a link as a GET without form or body', async () => {
    const { app, sent } = forwarder(() => ({ status: 200, contentType: 'application/json', body: '{"outcome":"ignored"}' }));
    const body = '{"event": {"id": "01X",  "ünïcode": true}}\n';
    await app.request(`${ORIGIN}/hooks/pagerduty`, { method: 'POST', headers: { 'x-pagerduty-signature': 'v1=ab', 'x-amzn-trace-id': 't' }, body });
    await app.request(`${ORIGIN}/hooks/opsgenie`, { method: 'POST', headers: { 'x-datalek-webhook-token': 'tok' }, body: '{}' });
    await app.request(`${ORIGIN}/ack/${TOKEN}?lang=de`, { headers: { 'sec-fetch-site': 'none' } });
    expect(sent).toEqual([
      { method: 'POST', origin: ORIGIN, path: '/hooks/pagerduty', headers: { 'x-pagerduty-signature': 'v1=ab' }, body },
      { method: 'POST', origin: ORIGIN, path: '/hooks/opsgenie', headers: { 'x-datalek-webhook-token': 'tok' }, body: '{}' },
      { method: 'GET', origin: ORIGIN, path: `/ack/${TOKEN}`, headers: { 'sec-fetch-site': 'none' } },
    ]);
  });

  it('serves the style sheet and answers other paths itself, forwarding nothing', async () => {
    const { app, sent } = forwarder(() => page);
    expect((await app.request(`${ORIGIN}/ack/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await app.request(`${ORIGIN}/incidents`)).status).toBe(404);
    expect((await app.request(`${ORIGIN}/hooks/slack`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(sent).toEqual([]);
  });

  it('answers 500 when the trusted side fails or answers with something that is not a link response, and logs the route, never the token', async () => {
    for (const answer of [
      () => {
        throw new Error('the link-apply function failed (Unhandled: TypeError)');
      },
      () => ({ status: 302, contentType: 'text/html', body: '', location: 'https://evil.example' }),
      () => 'not an answer',
    ]) {
      const { app, logged } = forwarder(answer);
      const res = await app.request(`${ORIGIN}/ack/${TOKEN}`);
      expect(res.status).toBe(500);
      expect(await res.text()).toMatch(/^unexpected failure/);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('GET /ack/<token>');
      expect(logged[0]).not.toContain(TOKEN);
    }
  });

  it('refuses a body over its limit before forwarding it', async () => {
    const { app, sent } = forwarder(() => page);
    const res = await app.request(`${ORIGIN}/ack/${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `by=${'a'.repeat(9000)}`,
    });
    expect(res.status).toBe(413);
    expect(sent).toEqual([]);
  });
});
