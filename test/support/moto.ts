/**
 * moto in server mode on 127.0.0.1 on a free port, for one test file (or one part of it) at a time.
 * `stop()` resets the server to empty and keeps it for the next `startMoto()` in the same worker
 * process: starting moto and loading a service's backend takes two to three seconds of CPU, paid by
 * some forty files in CI; a reset takes milliseconds. The server stops with the worker (and on its
 * own if the worker dies without saying so).
 * Where `moto_server` is missing the AWS tests are skipped with a message saying how to install it,
 * except under CI=true, where a missing moto fails the run: CI must have run them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;
if (!found && process.env.CI === 'true') {
  throw new Error("moto_server is not on PATH, and CI=true: the AWS integration tests must run in CI. Install it with: pip install 'moto[server]'");
}
if (!found) {
  console.warn("moto_server not found: skipping the AWS tests. Install it with: pip install 'moto[server]'");
}

/** Whether the AWS tests can run here. */
export const MOTO_AVAILABLE = found;

export const TEST_REGION = 'eu-west-1';

export interface Moto {
  endpoint: string;
  env: Record<string, string>;
  clients: { dynamodb: DynamoDBClient; sns: SNSClient; eventbridge: EventBridgeClient; sqs: SQSClient };
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * moto_server's own entry point, with the changes below. It serves one request at a time. moto's
 * TransactWriteItems restores a whole-table snapshot when a transaction fails, without a lock, so
 * on a threaded server a failing transaction can undo another client's committed write; real
 * DynamoDB never does. Serialised requests keep the emulator truthful for the concurrency tests,
 * which still interleave at request granularity (reads and conditional writes of racing clients).
 * And it exits when the worker that started it is gone: a pooled server outlives each test file, and
 * must not outlive the run when a worker is killed without running its exit hooks.
 * And TransactWriteItems keeps, for its rollback, a copy of each item the transaction names, where
 * moto deep-copies every table the transaction touches: on a table of 3,000 items that took a third
 * of a second of CPU a transaction (200 transactions: 68 s, 2.5 s with the copy of the items only),
 * and a test file's table grows with each test, so its transactions slowed as it went. On a
 * cancelled transaction the items it named are put back as they were, which is all a transaction
 * can have changed; moto's own code runs as it is otherwise (moto 5.2.1).
 * And TransactWriteItems honours its ClientRequestToken, as DynamoDB does for ten minutes: the SDK
 * puts one in every call and sends it again when it retries, so a transaction whose answer came
 * after the client's request timeout (a loaded machine) is answered as done, not run a second time
 * and cancelled on its own condition. moto ignores the token, and a replay then printed the event
 * that opened an incident as "duplicate" (cli-aws, under load).
 * And two costs of every request go: moto lists its own package folder (some 130 stat calls) to
 * route each request, where the list never changes; and werkzeug logs each request to stderr, which
 * nobody reads (a start-up failure is still reported from it). 500 requests of the cheapest kind
 * (SQS ListQueues) took moto 4 s of CPU with them, 2 s without. A third: to find an action's
 * method moto lists its response class's methods (inspect.getmembers, some hundreds for EC2) on every
 * request; the list is kept per class (600 requests: about 0.7 s of moto's CPU less).
 * And a Query of the table itself (not an index) reads the items of its partition key only: moto
 * sorts every item of the table on each Query and then keeps those of the key asked for, and the
 * store reads an incident by querying its partition. 600 Queries on a table of 3,000 items: 47 s,
 * 13 s with the partition only, the same answers (ordering, limits and pages included).
 * And EventBridge's input paths are parsed once per path, not once per delivered event: moto parses
 * each path of a target's input transformer (its default's eight without one) with a JSONPath parser
 * it builds anew each time, its grammar's tables included (about 0.05 s of CPU): 72% of moto's CPU
 * in test/infra/rule-patterns.test.ts. A parsed path is only read (`find`), so one serves every event.
 * And the names moto tries for each member of an answer are worked out once per kind of object,
 * shape and member: for every member of every answer its serializer builds six alias providers
 * and asks each in turn (the object's Meta aliases, the shape's names, the class name, xform_name),
 * which depends on nothing but those three (an object with Meta aliases of its own is still asked
 * each time). 180 EC2 Describe calls on twenty instances: 7.3-7.8 s of moto's CPU, 4.9 s with the
 * names kept; the answers of six Describe actions byte for byte the same but for their random ids.
 * And an EC2 resource's tags are read from its own entry: to list one resource's tags moto runs
 * DescribeTags with a resource-id filter, which matches a pattern against every tagged resource of
 * the account and region, for each instance, interface and group of each answer, so an answer cost
 * the square of the account's size (the storm's big account: 300 instances, their interfaces and
 * snapshots). An id holds no wildcard, so its pattern matches that id only: the same tags, in the
 * same order, with the same resource type. 15 Describe calls on 300 tagged instances: 8.5 s of
 * moto's CPU, 4.8 s with the entry read.
 */
const SERIAL_MOTO = `
import os, sys, threading, time
import copy as _copy
import moto.dynamodb.models as _ddb
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

class _CopyAllButTables:
    def __getattr__(self, name):
        return getattr(_copy, name)
    @staticmethod
    def deepcopy(x, memo=None):
        return x if isinstance(x, Table) else _copy.deepcopy(x, memo)

_ddb.copy = _CopyAllButTables()
_moto_transact = DynamoDBBackend.transact_write_items

def _transact_write_items(self, transact_items):
    undo = []
    for entry in transact_items[:100]:
        try:
            _, op = next(iter(entry.items()))
            table = self.tables[op["TableName"]]
            key = op["Item"] if "Item" in op else op["Key"]
            h = DynamoType(key[table.hash_key_attr])
            r = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
            undo.append((table, h, r, _copy.deepcopy(table.get_item(h, r))))
        except Exception:
            continue  # moto refuses it before it writes anything
    try:
        return _moto_transact(self, transact_items)
    except BaseException:
        for table, h, r, item in reversed(undo):
            if r is None:
                if item is None:
                    table.items.pop(h, None)
                else:
                    table.items[h] = item
            elif item is None:
                if h in table.items:
                    table.items[h].pop(r, None)
            else:
                table.items[h][r] = item
        raise

DynamoDBBackend.transact_write_items = _transact_write_items

import json as _json
from moto.dynamodb.exceptions import DynamodbException
from moto.dynamodb.responses import DynamoHandler
_moto_transact_handler = DynamoHandler.transact_write_items
_tokens = {}

def _transact_write_items_once(self):
    token = self.body.get("ClientRequestToken")
    if token is None:
        return _moto_transact_handler(self)
    sent = _json.dumps(self.body["TransactItems"], sort_keys=True)
    now = time.time()
    for old in [t for t, (at, _, _) in _tokens.items() if now - at > 600]:
        del _tokens[old]
    done = _tokens.get(token)
    if done is not None:
        if done[1] != sent:
            raise DynamodbException("com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException", "ClientRequestToken was used before with other parameters")
        return done[2]
    result = _moto_transact_handler(self)
    _tokens[token] = (now, sent, result)
    return result

DynamoHandler.transact_write_items = _transact_write_items_once

import logging
import moto.backends as _backends
_modules = tuple(_backends.list_of_moto_modules())
_backends.list_of_moto_modules = lambda: _modules
logging.getLogger("werkzeug").setLevel(logging.WARNING)
import moto.core.responses as _responses
_moto_method_names = _responses.method_names_from_class
_method_names = {}

def _method_names_of(clazz):
    names = _method_names.get(clazz)
    if names is None:
        names = _method_names[clazz] = _moto_method_names(clazz)
    return names

_responses.method_names_from_class = _method_names_of

from moto.dynamodb.models.table import Table as _Table
_moto_query = _Table.query

def _query(self, hash_key, *args, **kwargs):
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _moto_query(self, hash_key, *args, **kwargs)
    part = self.items.get(hash_key)
    if part is None:
        subset = []
    elif self.range_key_attr:
        subset = sorted(part.values(), key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)
    else:
        subset = [part]
    self.all_items = lambda: subset
    try:
        return _moto_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items

_Table.query = _query
import moto.core.serialize as _serialize

def _keys_once(cls):
    find = cls.__dict__["get_possible_keys"]
    known = {}
    def get_possible_keys(self, context):
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):
            return find(self, context)  # aliases of this one object: asked each time, as moto does
        at = (cls, tuple(self.alias_providers), type(obj), context.shape, context.key)
        keys = known.get(at)
        if keys is None:
            keys = known[at] = tuple(find(self, context))
        return keys
    cls.get_possible_keys = get_possible_keys

_keys_once(_serialize.AttributePicker)
_keys_once(_serialize.XFormedAttributePicker)
from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix
_moto_get_tags = TaggedEC2Resource.get_tags

def _get_tags(self):
    rid = self.id
    if not rid or any(c in rid for c in "*?["):
        return _moto_get_tags(self)
    tags = self.ec2_backend.tags.get(rid)
    if not tags:
        return []
    kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(rid), "")
    return [{"resource_id": rid, "key": k, "value": v, "resource_type": kind} for k, v in tags.items()]

TaggedEC2Resource.get_tags = _get_tags
import functools
import jsonpath_ng.ext as _jsonpath_ext
_jsonpath_ext.parse = functools.lru_cache(maxsize=256)(_jsonpath_ext.parse)
from werkzeug.serving import run_simple
parent = os.getppid()
def watch_parent():
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)
threading.Thread(target=watch_parent, daemon=True).start()
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
os.environ.setdefault("MOTO_PORT", sys.argv[2])
run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)
`;

/**
 * The AMIs moto knows: the first two of its own default list. By default each account and region's
 * EC2 loads some 1,150 (its list, the region's latest and its ECS-optimised ones), and
 * DescribeImages without a filter serialises them all: 11 s of moto's CPU a call on a loaded machine,
 * made by every EC2 scenario (and by the storm for each of its 50 accounts). The tests launch from
 * the first image listed, which stays the same.
 */
const AMIS = join(import.meta.dirname, 'moto-amis.json');

/** The Python that runs moto_server (a pyenv shim or a venv script names it in its first line). */
function motoPython(): string {
  const real = spawnSync('sh', ['-c', 'pyenv which moto_server 2>/dev/null || command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
  const shebang = spawnSync('head', ['-1', real], { encoding: 'utf8' }).stdout.trim();
  return shebang.startsWith('#!') && !shebang.includes(' ') ? shebang.slice(2) : 'python3';
}

interface Server {
  child: ChildProcess;
  endpoint: string;
}

/**
 * The servers this process started, and those whose file stopped with them (reset, waiting for the
 * next file). Kept on the process, not the module: a worker may evaluate this module again for a
 * later file, and must find the servers the earlier one left, not start more beside them.
 */
const POOL_KEY = Symbol.for('datalek.test.moto-pool');
const held = globalThis as unknown as Record<symbol, { idle: Server[]; started: Set<ChildProcess> } | undefined>;
function processPool(): { idle: Server[]; started: Set<ChildProcess> } {
  const found = held[POOL_KEY];
  if (found) return found;
  const made = { idle: [] as Server[], started: new Set<ChildProcess>() };
  process.once('exit', () => {
    for (const child of made.started) child.kill('SIGTERM');
  });
  held[POOL_KEY] = made;
  return made;
}
const pool = processPool();
const { idle, started } = pool;

async function spawnMoto(): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoPython(), ['-c', SERIAL_MOTO, '127.0.0.1', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_AMIS_PATH: AMIS },
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // An idle server must not keep the worker alive: the exit hook above stops it.
  child.unref();
  (child.stderr as Socket | null)?.unref();
  return { child, endpoint };
}

async function kill(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
}

/**
 * An empty moto: one this process used before and reset, or a new one. Nothing of an earlier file
 * is left in it: `/moto-api/reset` empties every service's backend, in every account and region.
 */
export async function startMoto(): Promise<Moto> {
  let server = idle.pop();
  while (server && server.child.exitCode !== null) server = idle.pop();
  server ??= await spawnMoto();
  const { endpoint } = server;
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
  };
  const config = { endpoint, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const clients = { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config), eventbridge: new EventBridgeClient(config), sqs: new SQSClient(config) };
  let stopped = false;
  return {
    endpoint,
    env,
    clients,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Emptied for the next file; a server that does not answer the reset is not trusted with one.
      const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' }).catch(() => undefined);
      if (reset?.ok) idle.push(server);
      else await kill(server);
    },
  };
}
