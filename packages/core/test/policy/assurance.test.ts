import { describe, expect, it } from "vitest";
import { destinationPolicyFromEnv, sourcePolicyFromEnv } from "../../src/policy/index.js";
import { expectConfigError } from "./config-error-helper.js";

const DEST = { DEST_REGION: "eu-west-1,eu-central-1" };

describe("assurance settings (RPO_HOURS, METRICS_PER_CLUSTER, DEPLOYMENT_NAME, VERIFY_*)", () => {
  it("reads every setting on the destination side", () => {
    const policy = destinationPolicyFromEnv({
      ...DEST,
      RPO_HOURS: "30",
      METRICS_PER_CLUSTER: "false",
      DEPLOYMENT_NAME: "dr-stack",
      VERIFY_SAMPLE: "3",
      VERIFY_REGION: "eu-central-1",
      VERIFY_DB_SUBNET_GROUP: "restore tests",
      VERIFY_SECURITY_GROUPS: "sg-0123abcd, sg-0123456789abcdef0,sg-0123abcd",
      VERIFY_INSTANCE_CLASS: "db.t4g.medium",
      VERIFY_CHECK_LAMBDA_ARN: "arn:aws:lambda:eu-central-1:111111111111:function:check:live",
      VERIFY_SECRET_ARN: "arn:aws:secretsmanager:eu-central-1:111111111111:secret:db-Ab12Cd",
      VERIFY_MAX_MINUTES: "45",
    });
    expect(policy).toMatchObject({
      rpoHours: 30,
      metricsPerCluster: false,
      deploymentName: "dr-stack",
      verifySample: 3,
      verifyRegion: "eu-central-1",
      verifySubnetGroup: "restore tests",
      verifySecurityGroups: ["sg-0123abcd", "sg-0123456789abcdef0"],
      verifyInstanceClass: "db.t4g.medium",
      verifyCheckLambdaArn: "arn:aws:lambda:eu-central-1:111111111111:function:check:live",
      verifySecretArn: "arn:aws:secretsmanager:eu-central-1:111111111111:secret:db-Ab12Cd",
      verifyMaxMinutes: 45,
    });
  });

  it("leaves RPO_HOURS unset for the computed default, and NONE means no instance", () => {
    const policy = sourcePolicyFromEnv({ RPO_HOURS: "", VERIFY_INSTANCE_CLASS: "none" });
    expect(policy.rpoHours).toBeUndefined();
    expect(policy).not.toHaveProperty("verifyInstanceClass");
  });

  it.each([
    ["RPO_HOURS", "0", /integer from 1/],
    ["RPO_HOURS", "a day", /integer from 1/],
    ["METRICS_PER_CLUSTER", "maybe", /TRUE or FALSE/],
    ["DEPLOYMENT_NAME", "1stack", /starting with a letter/],
    ["DEPLOYMENT_NAME", "my_stack", /letters, digits and hyphens/],
    ["VERIFY_SAMPLE", "-1", /integer from 0/],
    ["VERIFY_REGION", "us-west-2", /one of the destination regions \(eu-west-1, eu-central-1\)/],
    ["VERIFY_REGION", "mars-north-1", /AWS region name/],
    ["VERIFY_DB_SUBNET_GROUP", "a/b", /DB subnet group name/],
    ["VERIFY_SECURITY_GROUPS", "sg-123", /security group ids/],
    ["VERIFY_SECURITY_GROUPS", "sg-0123abcd,", /security group ids/],
    ["VERIFY_INSTANCE_CLASS", "r6g.large", /db.serverless/],
    ["VERIFY_CHECK_LAMBDA_ARN", "check-restore", /Lambda function ARN/],
    ["VERIFY_SECRET_ARN", "arn:aws:ssm:eu-west-1:111111111111:parameter/x", /Secrets Manager/],
    ["VERIFY_MAX_MINUTES", "5", /integer from 10 to 1440/],
  ])(
    "refuses %s=%j on the destination, naming it and what is accepted",
    (name, value, accepted) => {
      expectConfigError(
        () => destinationPolicyFromEnv({ ...DEST, [name]: value }),
        name,
        value,
        accepted,
      );
    },
  );

  it("refuses a check without an instance, naming VERIFY_INSTANCE_CLASS", () => {
    expectConfigError(
      () =>
        sourcePolicyFromEnv({
          VERIFY_INSTANCE_CLASS: "NONE",
          VERIFY_CHECK_LAMBDA_ARN: "arn:aws:lambda:us-east-1:111111111111:function:check",
        }),
      "VERIFY_INSTANCE_CLASS",
      "NONE",
      /a check needs an instance/,
    );
  });
});
