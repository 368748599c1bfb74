/**
 * A proxy in front of moto that answers the DynamoDB operations it is given as DynamoDB answers a
 * caller whose policy does not allow them: `400 AccessDeniedException`, its message naming the
 * caller's ARN (`caller`), the action and the table, as AWS words it. moto enforces no IAM policy,
 * so a missing permission (dynamodb:ListTagsOfResource, say) is otherwise never seen on moto. Point
 * `AWS_ENDPOINT_URL_DYNAMODB` at it; every other request passes through untouched.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DenyingProxy {
  endpoint: string;
  /** The operations it refused, in order. */
  denied: string[];
  stop: () => Promise<void>;
}

export async function startDenyingProxy(target: string, operations: readonly string[], caller: string): Promise<DenyingProxy> {
  const upstream = new URL(target);
  const denied: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    // DynamoDB's JSON protocol: `X-Amz-Target: DynamoDB_20120810.ListTagsOfResource`.
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (operations.includes(operation)) {
      denied.push(operation);
      const resource = (JSON.parse(body.toString('utf8') || '{}') as { ResourceArn?: string; TableName?: string }).ResourceArn ?? 'the table';
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'AccessDeniedException' }).end(
        JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          Message: `User: ${caller} is not authorized to perform: dynamodb:${operation} on resource: ${resource} because no identity-based policy allows the dynamodb:${operation} action`,
        }),
      );
      return;
    }
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (err) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${err.message}`));
    out.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    denied,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
