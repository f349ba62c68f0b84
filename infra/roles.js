// One IAM role per function, made from infra/permissions.yml (read its header for the keys). Each role
// may write its function's own log group and do what the function's row says, nothing else; the
// functions name their role in serverless.yml (`role: <Function>Role`), so the framework's shared
// role is not created. tests/deploy/test_template.py checks the generated roles against the table.
const arn = (key, { service, stage, sesRegion }) => {
  if (key === 'sms') return '*'; // SNS text messages go to a phone number, which has no ARN
  if (key === 'mail') return { 'Fn::Sub': `arn:\${AWS::Partition}:ses:${sesRegion}:\${AWS::AccountId}:identity/*` };
  if (key.startsWith('secret:')) {
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    const name = `${service}/${stage}/${key.slice('secret:'.length)}`;
    return { 'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-??????` };
  }
  const [logicalId, ...rest] = key.split('/');
  const base = { 'Fn::GetAtt': [logicalId, 'Arn'] };
  return rest.length ? { 'Fn::Join': ['', [base, `/${rest.join('/')}`]] } : base;
};

module.exports = async ({ resolveVariable }) => {
  const table = await resolveVariable('file(infra/permissions.yml)');
  const settings = {
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    sesRegion: await resolveVariable('self:custom.sesRegion'),
  };
  const sender = await resolveVariable('self:custom.notifyFrom');
  const Resources = {};
  for (const [fn, grants] of Object.entries(table)) {
    const id = fn[0].toUpperCase() + fn.slice(1);
    const statements = [{
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [`${id}LogGroup`, 'Arn'] },
    }];
    for (const [key, actions] of Object.entries(grants)) {
      const statement = { Effect: 'Allow', Action: actions, Resource: arn(key, settings) };
      if (key === 'mail') statement.Condition = { StringEquals: { 'ses:FromAddress': sender } };
      statements.push(statement);
    }
    Resources[`${id}Role`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{ PolicyName: fn, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    };
  }
  return { Resources };
};
