"""Helpers for tests/pipeline.rs, run with the pipeline tools' Python.

  cfn.py template FILE        the CloudFormation template as JSON (short-form
                              tags such as !Sub become their Fn:: form)
  cfn.py readback STACK...    what moto created for the stacks, read back
                              through the AWS APIs, as JSON (endpoint, region
                              and keys from the environment)

The Rust test makes every assertion; this file only translates.
"""
import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def _tag(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    return construct


for short in ["Ref", "Condition"]:
    Loader.add_constructor("!" + short, _tag(short))
for short in ["Sub", "GetAtt", "Join", "Split", "Select", "ImportValue", "If", "Equals", "Not", "And", "Or",
              "FindInMap", "Base64", "GetAZs", "Cidr"]:
    Loader.add_constructor("!" + short, _tag("Fn::" + short))


def template(path):
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def document(doc):
    """A policy document as data: moto hands back the Python repr of a
    policy that CloudFormation created, where AWS gives JSON."""
    if isinstance(doc, str):
        import ast

        try:
            return json.loads(doc)
        except ValueError:
            return ast.literal_eval(doc)
    return doc


def maybe(get):
    from botocore.exceptions import ClientError

    try:
        return get()
    except ClientError:
        return None


def readback(stacks):
    import boto3

    def client(name):
        return boto3.client(name)

    cfn, ecr, iam, ecs = client("cloudformation"), client("ecr"), client("iam"), client("ecs")
    elb, logs, ssm, s3, ec2 = client("elbv2"), client("logs"), client("ssm"), client("s3"), client("ec2")
    out = {"exports": {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}, "stacks": {}}
    for name in stacks:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        resources = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        got = {
            "status": stack["StackStatus"],
            "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])},
            "outputs": {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs", [])},
            "resources": {},
        }
        for r in resources:
            if not r.get("LogicalResourceId"):
                continue
            kind, pid = r["ResourceType"], r.get("PhysicalResourceId")
            item = {"type": kind, "physical_id": pid}
            if kind == "AWS::ECR::Repository":
                repo = ecr.describe_repositories(repositoryNames=[pid])["repositories"][0]
                item["repository"] = repo
                try:
                    item["lifecycle"] = json.loads(ecr.get_lifecycle_policy(repositoryName=pid)["lifecyclePolicyText"])
                except ecr.exceptions.LifecyclePolicyNotFoundException:
                    item["lifecycle"] = None
            elif kind == "AWS::IAM::Role":
                role = iam.get_role(RoleName=pid)["Role"]
                item["role"] = role
                item["policies"] = {
                    p: document(iam.get_role_policy(RoleName=pid, PolicyName=p)["PolicyDocument"])
                    for p in iam.list_role_policies(RoleName=pid)["PolicyNames"]
                }
                item["attached"] = iam.list_attached_role_policies(RoleName=pid)["AttachedPolicies"]
            elif kind == "AWS::ECS::TaskDefinition":
                item["task_definition"] = ecs.describe_task_definition(taskDefinition=pid)["taskDefinition"]
            elif kind == "AWS::ECS::Service":
                cluster = pid.split("/")[1]
                item["service"] = ecs.describe_services(cluster=cluster, services=[pid])["services"][0]
            elif kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
                item["target_group"] = elb.describe_target_groups(TargetGroupArns=[pid])["TargetGroups"][0]
                item["attributes"] = {
                    a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=pid)["Attributes"]
                }
            elif kind == "AWS::ElasticLoadBalancingV2::ListenerRule":
                item["rule"] = elb.describe_rules(RuleArns=[pid])["Rules"][0]
            elif kind == "AWS::Logs::LogGroup":
                groups = logs.describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
                item["log_group"] = next(g for g in groups if g["logGroupName"] == pid)
            elif kind == "AWS::SSM::Parameter":
                item["parameter"] = ssm.get_parameter(Name=pid)["Parameter"]
            elif kind == "AWS::S3::Bucket":
                # None where moto's CloudFormation left a setting out.
                item["versioning"] = s3.get_bucket_versioning(Bucket=pid).get("Status")
                item["encryption"] = maybe(lambda: s3.get_bucket_encryption(Bucket=pid)["ServerSideEncryptionConfiguration"])
                item["public_access_block"] = maybe(
                    lambda: s3.get_public_access_block(Bucket=pid)["PublicAccessBlockConfiguration"])
                item["lifecycle"] = maybe(lambda: s3.get_bucket_lifecycle_configuration(Bucket=pid)["Rules"])
                item["ownership"] = maybe(lambda: s3.get_bucket_ownership_controls(Bucket=pid)["OwnershipControls"])
            elif kind == "AWS::EC2::SecurityGroup":
                item["security_group"] = ec2.describe_security_groups(GroupIds=[pid])["SecurityGroups"][0]
            got["resources"][r["LogicalResourceId"]] = item
        out["stacks"][name] = got
    # Everything of these kinds, stack or not: what a removal leaves behind.
    out["all"] = {
        "roles": [r["RoleName"] for r in iam.list_roles()["Roles"]],
        "repositories": [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]],
        "target_groups": [t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]],
        "log_groups": [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]],
        "task_definitions": ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"],
    }
    listeners = [l["ListenerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]
                 for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]]
    out["all"]["rules"] = [r for l in listeners for r in elb.describe_rules(ListenerArn=l)["Rules"]]
    out["all"]["services"] = [
        {"name": s["serviceName"], "status": s["status"]}
        for c in ecs.list_clusters()["clusterArns"]
        for arns in [ecs.list_services(cluster=c)["serviceArns"]] if arns
        for s in ecs.describe_services(cluster=c, services=arns)["services"]
    ]
    return out


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "template":
        result = template(args[0])
    elif command == "readback":
        result = readback(args)
    else:
        sys.exit(f"unknown command {command}")
    json.dump(result, sys.stdout, default=str)
