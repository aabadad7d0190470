// The policy pack: `pulumi preview --policy-pack infra/policy` (PulumiPolicy.yaml beside this file).
import { PolicyPack } from "@pulumi/policy";
import { transcodePolicies } from "./rules.js";

new PolicyPack("transcode-control-plane", { policies: transcodePolicies });
