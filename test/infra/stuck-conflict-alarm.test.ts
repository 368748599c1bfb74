/**
 * infra14 item 5: the acknowledgement function and the link page answered a stuck conflict (a
 * change the store refused at every try while the incident did not change: no race, a row put in
 * behind datalek) with a 500 to the person, and their errors alarms stayed quiet; only the function
 * URLs' 5xx alarms paged, which say nothing of the cause. Each now logs it with a count
 * (`stuckConflicts`, by incident id, the store's text left out: test/unit/stuck-conflict-link-record.test.ts),
 * and the response stack counts that log field on both functions' log groups: `datalek-stuck-conflict`
 * pages, saying what it is.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LOG_METRICS } from '../../handlers/adapters/aws/table-schema.js';
import { synthesizedApp } from '../support/infra.js';

const { response, stateful } = synthesizedApp();

describe('datalek-stuck-conflict (infra14)', () => {
  it('counts the field in the acknowledgement and link-apply functions’ logs and pages on-call, naming the cause and the check', () => {
    const t = Template.fromStack(response);
    const groupOf = (f: 'acknowledge' | 'linkApply') => response.getLogicalId(response.functions[f].logGroup.node.defaultChild as never);
    const filters = Object.values(t.findResources('AWS::Logs::MetricFilter')).filter((f) =>
      JSON.stringify(f.Properties.FilterPattern).includes(LOG_METRICS.stuckConflicts),
    );
    expect(filters.map((f) => f.Properties.LogGroupName).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [{ Ref: groupOf('acknowledge') }, { Ref: groupOf('linkApply') }].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    const metrics = new Set(
      filters.map((f) => JSON.stringify(f.Properties.MetricTransformations.map((m: Record<string, unknown>) => [m.MetricNamespace, m.MetricName]))),
    );
    expect(metrics.size).toBe(1);
    const [[[namespace, name]]] = [...metrics].map((m) => JSON.parse(m));
    const [alarm] = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'datalek-stuck-conflict' } }));
    expect(alarm.Properties).toMatchObject({ Namespace: namespace, MetricName: name, Statistic: 'Maximum' });
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(alarm.Properties.AlarmDescription).toMatch(/no race/);
    expect(alarm.Properties.AlarmDescription).toMatch(/datalek verify/);
    expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
  });
});

/**
 * attack16 K4: anyone in the account may publish into a custom namespace (cloudwatch:PutMetricData is granted by
 * namespace), and one call carries 1,000 values stamped up to two hours ahead: large negative values held the Sum
 * of datalek-interface-exposed, -containment-refused and -stuck-conflict below 1 whatever the log filter added.
 */
it("counts no alarm's own metric by a statistic a published negative value lowers (Maximum: a value can only raise it)", () => {
  const own = [response, stateful].flatMap((s) =>
    Object.values(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Record<string, unknown>)
      .filter((p) => typeof p.Namespace === 'string' && !p.Namespace.startsWith('AWS/')),
  );
  expect(own.map((p) => p.AlarmName).sort()).toEqual(['datalek-containment-refused', 'datalek-interface-exposed', 'datalek-stuck-conflict']);
  for (const p of own)
    expect({ name: p.AlarmName, statistic: p.Statistic, op: p.ComparisonOperator }).toMatchObject({
      statistic: 'Maximum',
      op: 'GreaterThanOrEqualToThreshold',
    });
});
