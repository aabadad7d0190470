import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** A Secrets Manager secret holding `value` (already a Pulumi secret); returns its ARN, the reference consumers get. */
export function storedSecret(
  name: string,
  args: { description: string; value: pulumi.Output<string>; kmsKeyArn?: pulumi.Input<string> | undefined; tags?: pulumi.Input<Record<string, string>> | undefined },
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const secret = new aws.secretsmanager.Secret(
    name,
    { description: args.description, kmsKeyId: args.kmsKeyArn, recoveryWindowInDays: 7, tags: args.tags },
    { parent },
  );
  new aws.secretsmanager.SecretVersion(name, { secretId: secret.id, secretString: args.value }, { parent });
  return secret.arn;
}
