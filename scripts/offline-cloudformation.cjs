// Preloaded into `serverless package` by scripts/check-deploy.sh only. Packaging a service with a layer
// asks CloudFormation for the last deployed stack (to reuse an unchanged layer upload); offline, the
// question goes to a local moto server, which answers as a fresh account: the stack does not exist.
const AWS = require("aws-sdk");
AWS.config.cloudformation = { endpoint: process.env.SHEQI_OFFLINE_CLOUDFORMATION };
