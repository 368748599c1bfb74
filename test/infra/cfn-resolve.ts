/**
 * Resolves the intrinsic functions of a synthesized template's values, as CloudFormation would
 * at deploy, to stand-in values: the account and region given, a key's id and ARN from its logical
 * id, a topic's ARN from its name, an import from the exporting stack's output. Enough to put the
 * rule patterns (which name keys and topics) on moto, and to measure them as deployed.
 */
import { createHash } from 'node:crypto';
import type { Template } from 'aws-cdk-lib/assertions';

export interface ResolveContext {
  account: string;
  region: string;
  /** Templates whose exports the resolved template imports (`Fn::ImportValue`). */
  exporters?: Template[];
}

/** A stable stand-in key id for a key's logical id in a region: the same in every template that refers to it. */
export function keyIdOf(logicalId: string, region: string): string {
  const hex = createHash('sha256').update(`${region}/${logicalId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function resolveValue(value: unknown, template: Template, ctx: ResolveContext): unknown {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arnOf = (id: string): string => {
    const r = resources[id];
    if (!r) throw new Error(`no resource ${id}`);
    if (r.Type === 'AWS::KMS::Key') return `arn:aws:kms:${ctx.region}:${ctx.account}:key/${keyIdOf(id, ctx.region)}`;
    if (r.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${ctx.region}:${ctx.account}:${r.Properties?.TopicName ?? id}`;
    if (r.Type === 'AWS::Events::Rule') return `arn:aws:events:${ctx.region}:${ctx.account}:rule/${r.Properties?.Name ?? id}`;
    return `arn:aws:stand-in:${ctx.region}:${ctx.account}:${id}`;
  };
  const go = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(go);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const [key] = Object.keys(o);
    const arg = o[key];
    if (Object.keys(o).length === 1) {
      if (key === 'Ref') {
        const name = arg as string;
        if (pseudo[name]) return pseudo[name];
        const r = resources[name];
        if (r?.Type === 'AWS::KMS::Key') return keyIdOf(name, ctx.region);
        if (r?.Type === 'AWS::Events::Rule') return r.Properties?.Name ?? name;
        return arnOf(name);
      }
      if (key === 'Fn::GetAtt') return arnOf((arg as string[])[0]);
      if (key === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (go(parts) as string[]).join(sep);
      }
      if (key === 'Fn::Split') {
        const [sep, s] = arg as [string, unknown];
        return (go(s) as string).split(sep);
      }
      if (key === 'Fn::Sub' && typeof arg === 'string') {
        // The pseudo parameters only (the synthesizer's role ARNs: deploy-role.ts).
        return arg.replace(/\$\{([\w:]+)\}/g, (_, name: string) => {
          if (!pseudo[name]) throw new Error(`Fn::Sub of \${${name}}: give it a value here`);
          return pseudo[name];
        });
      }
      if (key === 'Fn::Select') {
        const [i, list] = arg as [number | string, unknown];
        return (go(list) as unknown[])[Number(i)];
      }
      if (key === 'Fn::ImportValue') {
        for (const t of ctx.exporters ?? []) {
          const outputs = (t.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
          const out = Object.values(outputs).find((x) => x.Export?.Name === arg);
          if (out) return resolveValue(out.Value, t, ctx);
        }
        throw new Error(`no export ${String(arg)}`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, go(x)]));
  };
  return go(value);
}
