// Alarms, all sent to AlarmTopic (subscribe the operators to it; README "Alarms" says what each means):
// every function's errors and throttles; a scheduled function that has not run in time; the depth
// of every dead-letter queue of infra/queues.yml (named *DeadLetterQueue); deliveries failing.
const alarm = (description, metric, { period, periods = 1, threshold = 1, below = false, missing = 'notBreaching' }) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmDescription: description,
    ...metric,
    Statistic: metric.Statistic || 'Sum',
    Period: period,
    EvaluationPeriods: periods,
    DatapointsToAlarm: periods,
    Threshold: threshold,
    ComparisonOperator: below ? 'LessThanThreshold' : 'GreaterThanOrEqualToThreshold',
    TreatMissingData: missing,
    AlarmActions: [{ Ref: 'AlarmTopic' }],
    OKActions: [{ Ref: 'AlarmTopic' }],
  },
});

// How long a scheduled function may go without an invocation: three periods of a rate(5 minutes),
// 26 hours for a daily cron.
const notRunWindow = (rate) => (rate.startsWith('rate(') ? { period: 300, periods: 3 } : { period: 3600, periods: 26 });

module.exports = async ({ resolveVariable }) => {
  const functions = await resolveVariable('self:functions');
  const queues = (await resolveVariable('file(infra/queues.yml)')).Resources;
  const namespace = await resolveVariable('self:provider.environment.METRICS_NAMESPACE');
  const service = await resolveVariable('self:service');
  const Resources = {
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: '涉企行政检查 告警' } },
  };
  for (const [fn, config] of Object.entries(functions)) {
    const id = fn[0].toUpperCase() + fn.slice(1);
    const lambda = (name) => ({ Namespace: 'AWS/Lambda', MetricName: name, Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }] });
    Resources[`${id}ErrorsAlarm`] = alarm(`${fn}: 函数执行出错`, lambda('Errors'), { period: 300 });
    Resources[`${id}ThrottlesAlarm`] = alarm(`${fn}: 函数被限流`, lambda('Throttles'), { period: 300 });
    const schedule = (config.events || []).find((event) => event.schedule);
    if (schedule) {
      Resources[`${id}NotRunAlarm`] = alarm(`${fn}: 定时任务未按时运行`, lambda('Invocations'),
        { ...notRunWindow(schedule.schedule.rate), below: true, missing: 'breaching' });
    }
  }
  for (const queue of Object.keys(queues).filter((name) => name.endsWith('DeadLetterQueue'))) {
    Resources[`${queue}DepthAlarm`] = alarm(`${queue}: 死信队列中有消息`, {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    }, { period: 300 });
  }
  const emf = (name) => ({ Namespace: namespace, MetricName: name, Dimensions: [{ Name: 'service', Value: service }] });
  Resources.DeliveriesFailingAlarm = alarm('通知发送多次失败（短信或邮件通道故障）', emf('DeliveriesFailed'), { period: 900, threshold: 5 });
  Resources.DeliveriesDeadAlarm = alarm('通知最终未能送达（进入死信，需平台管理员处理）', emf('DeliveriesDead'), { period: 300 });
  return { Resources, Outputs: { AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } } } };
};
