// The console bucket's policy and, once a domain is configured, the HTTPS front door: one CloudFront
// distribution on that domain serving /console/* and /phone/* from ConsoleBucket and everything else (the API,
// the public code check the posters point at) from the HTTP API, so the console calls its own origin.
// In the AWS China regions CloudFront serves only an ICP-recorded domain of one's own (never
// *.cloudfront.cn) with a certificate uploaded to IAM (no ACM there), so the distribution is made
// only when both SHEQI_CONSOLE_DOMAIN and SHEQI_CONSOLE_CERTIFICATE_ID are set.
module.exports = async ({ resolveVariable }) => {
  const domain = await resolveVariable('self:custom.consoleDomain');
  const certificate = await resolveVariable('self:custom.consoleCertificateId');
  const bucketArn = { 'Fn::GetAtt': ['ConsoleBucket', 'Arn'] };
  const objects = { 'Fn::Join': ['', [bucketArn, '/*']] };
  const statements = [{
    Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, objects],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  }];
  const Resources = {};
  const Outputs = { ConsoleBucketName: { Value: { Ref: 'ConsoleBucket' } } };
  if (domain) {
    if (!certificate) throw new Error('SHEQI_CONSOLE_DOMAIN 已设置，但缺少 SHEQI_CONSOLE_CERTIFICATE_ID（上传到 IAM 的证书 ID）');
    statements.push({
      Sid: 'CloudFrontReads', Effect: 'Allow', Action: 's3:GetObject', Resource: objects,
      Principal: { CanonicalUser: { 'Fn::GetAtt': ['ConsoleOriginIdentity', 'S3CanonicalUserId'] } },
    });
    Resources.ConsoleOriginIdentity = {
      Type: 'AWS::CloudFront::CloudFrontOriginAccessIdentity',
      Properties: { CloudFrontOriginAccessIdentityConfig: { Comment: `console ${domain}` } },
    };
    Resources.ConsoleDistribution = {
      Type: 'AWS::CloudFront::Distribution',
      Properties: {
        DistributionConfig: {
          Enabled: true,
          Aliases: [domain],
          HttpVersion: 'http2',
          Origins: [{
            Id: 'console',
            DomainName: { 'Fn::GetAtt': ['ConsoleBucket', 'RegionalDomainName'] },
            S3OriginConfig: { OriginAccessIdentity: { 'Fn::Sub': 'origin-access-identity/cloudfront/${ConsoleOriginIdentity}' } },
          }, {
            Id: 'api',
            DomainName: { 'Fn::Sub': '${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' },
            CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
          }],
          DefaultCacheBehavior: {   // the API: nothing cached, the token and query passed on
            TargetOriginId: 'api',
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
            ForwardedValues: { QueryString: true, Headers: ['Authorization', 'Content-Type', 'Accept'] },   // Accept: the code's page or JSON
            MinTTL: 0, DefaultTTL: 0, MaxTTL: 0,
          },
          CacheBehaviors: ['console/*', 'phone/*'].map((PathPattern) => ({   // the console and the phone pages
            PathPattern,
            TargetOriginId: 'console',
            ViewerProtocolPolicy: 'redirect-to-https',
            AllowedMethods: ['GET', 'HEAD'],
            Compress: true,
            ForwardedValues: { QueryString: false },
          })),
          ViewerCertificate: { IamCertificateId: certificate, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
        },
      },
    };
    Outputs.ConsoleUrl = { Value: `https://${domain}/console/index.html` };
    Outputs.ConsoleDistributionId = { Value: { Ref: 'ConsoleDistribution' } };
  }
  Resources.ConsoleBucketPolicy = {
    Type: 'AWS::S3::BucketPolicy',
    Properties: { Bucket: { Ref: 'ConsoleBucket' }, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
  };
  return { Resources, Outputs };
};
