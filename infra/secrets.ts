import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretKind } from "./iam/index.js";
import type { ReleaseSecretRef } from "./types.js";

/**
 * The value behind a reference, as a Pulumi secret (encrypted in state, masked in output). Used only where a value
 * must be materialised: a Kubernetes Secret. Everything on AWS passes the reference itself.
 */
export function readSecret(ref: ReleaseSecretRef, parent: pulumi.Resource): pulumi.Output<string> {
  const opts = { parent };
  if ("stackSecret" in ref) return pulumi.secret(ref.stackSecret);
  return pulumi.secret(
    pulumi.output(ref.arn).apply((arn) =>
      secretKind(arn) === "secretsmanager"
        ? aws.secretsmanager.getSecretVersionOutput({ secretId: arn }, opts).secretString
        : aws.ssm.getParameterOutput({ name: arn, withDecryption: true }, opts).value,
    ),
  );
}
