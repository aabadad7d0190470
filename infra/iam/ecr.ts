import type { Statement } from "./document.js";

/** The ECS execution role's image pull: the auth token has no resource scope; the layers are this repository's. */
export function pullImageStatements(repositoryArn: string): Statement[] {
  return [
    { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
    {
      Sid: "PullTranscoderImage",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      Resource: [repositoryArn],
    },
  ];
}
