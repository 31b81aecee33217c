//! The CloudFormation stacks of pipeline/: linted (cfn-lint, checkov, pinned
//! in tests/pipeline/ensure-tools.sh), their IAM statements walked, their
//! build variables held to what buildspec.yml and sitepack read, and both
//! stacks deployed into moto's CloudFormation by pipeline/deploy.sh (the
//! operator's own commands, through the AWS CLI) for two sites side by side.
//! What moto creates is read back through the AWS APIs; what it does not
//! create, or creates without some property, is checked against the template
//! after resolving parameters, Refs, Subs and imports, and the test prints
//! that list. The build the stack defines is then run (buildspec.yml from the
//! shared bucket, the project's variables) against moto and an ECR-like
//! registry, and a site is removed.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::codebuild::{committed_example_repo, parse_buildspec, script};
use common::moto::{Moto, ACCOUNT, REGION};
use common::*;
use serde_json::{json, Value};

/// The venv with cfn-lint, checkov and the AWS CLI.
fn tools() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| PathBuf::from(ensure("tests/pipeline/ensure-tools.sh").trim()))
}

fn cfn_py(args: &[&str], env: &[(&'static str, String)]) -> Value {
    let out = run_ok(
        Command::new(tools().join("bin/python"))
            .arg(root().join("tests/pipeline/cfn.py"))
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str()))),
    );
    serde_json::from_str(&out).unwrap()
}

const TEMPLATES: [&str; 2] = ["pipeline/shared.yaml", "pipeline/site.yaml"];

fn template(path: &str) -> Value {
    cfn_py(&["template", root().join(path).to_str().unwrap()], &[])
}

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strs).collect(),
        _ => vec![],
    }
}

// ---------------------------------------------------------------- linters

#[test]
fn cfn_lint_reports_no_error_or_warning_on_any_template() {
    let out = Command::new(tools().join("bin/cfn-lint")).args(TEMPLATES).current_dir(root()).output().unwrap();
    let code = out.status.code().expect("cfn-lint exited");
    // Exit code bit mask: 2 errors, 4 warnings, 8 informational.
    assert_eq!(
        code & 0b110,
        0,
        "cfn-lint found errors or warnings (exit {code}):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn checkov(dir: &Path) -> Value {
    let out = Command::new(tools().join("bin/checkov"))
        .args(["--framework", "cloudformation", "--skip-download", "-o", "json", "-d"])
        .arg(dir)
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("checkov output ({e}): {stdout}"));
    match report {
        Value::Array(mut reports) => reports.remove(0),
        report => report,
    }
}

fn checks(report: &Value, kind: &str) -> BTreeSet<(String, String)> {
    report["results"][kind]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c["check_id"].as_str().unwrap().to_owned(), c["resource"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn checkov_fails_no_check_and_each_suppression_is_explained_and_needed() {
    let report = checkov(&root().join("pipeline"));
    let failed = checks(&report, "failed_checks");
    assert!(failed.is_empty(), "checkov failed checks: {failed:?}");
    assert!(report["summary"]["passed"].as_u64().unwrap() > 40, "checkov ran its checks: {}", report["summary"]);
    let skipped = checks(&report, "skipped_checks");

    // Every suppression is in the template with its reason.
    let mut written = BTreeSet::new();
    for path in TEMPLATES {
        let t = template(path);
        for (name, res) in t["Resources"].as_object().unwrap() {
            for skip in res["Metadata"]["checkov"]["skip"].as_array().into_iter().flatten() {
                let id = skip["id"].as_str().unwrap();
                let reason = skip["comment"].as_str().unwrap_or("");
                assert!(reason.split_whitespace().count() >= 10, "{path} {name} {id}: the reason is missing or short");
                written.insert((id.to_owned(), format!("{}.{name}", res["Type"].as_str().unwrap())));
            }
        }
    }
    assert_eq!(skipped, written, "checkov's skipped checks are exactly the suppressions written in the templates");

    // And each is needed: without them, exactly those checks fail.
    let bare = tempfile::tempdir().unwrap();
    for path in TEMPLATES {
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        let name = Path::new(path).file_name().unwrap();
        std::fs::write(bare.path().join(name), text.replace("      checkov:\n", "      not-checkov:\n")).unwrap();
    }
    assert_eq!(checks(&checkov(bare.path()), "failed_checks"), written, "a suppression that no check needs");
}

// ---------------------------------------------------------------- IAM

/// Actions AWS does not scope to a resource, which may therefore name `*`.
const UNSCOPED_ACTIONS: [&str; 3] =
    ["ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"];

/// (template, resource, statement) for every statement of every policy the
/// templates hold: roles' inline policies, managed policies, bucket policies.
fn statements() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for path in TEMPLATES {
        let t = template(path);
        for (name, res) in t["Resources"].as_object().unwrap() {
            let p = &res["Properties"];
            let docs: Vec<&Value> = match res["Type"].as_str().unwrap() {
                "AWS::IAM::Role" => p["Policies"].as_array().unwrap().iter().map(|x| &x["PolicyDocument"]).collect(),
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::S3::BucketPolicy" => vec![&p["PolicyDocument"]],
                _ => continue,
            };
            for doc in docs {
                for st in doc["Statement"].as_array().unwrap() {
                    out.push((path.to_owned(), name.clone(), st.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn every_iam_statement_names_its_actions_and_resources_and_each_star_says_why() {
    let all = statements();
    assert!(all.len() > 20, "the walk found the statements: {}", all.len());
    let mut stars = 0;
    for (path, res, st) in &all {
        let sid = st["Sid"].as_str().unwrap_or("");
        let at = format!("{path} {res} {sid}");
        assert!(st.get("NotAction").is_none() && st.get("NotResource").is_none(), "{at}: NotAction/NotResource");
        let actions = strs(&st["Action"]);
        if st["Effect"] == "Deny" {
            // Bucket policies' TLS-only Deny: broad on purpose, it only narrows.
            assert_eq!(st["Condition"]["Bool"]["aws:SecureTransport"], "false", "{at}: a Deny other than TLS-only");
            continue;
        }
        assert_eq!(st["Effect"], "Allow", "{at}");
        assert!(st.get("Principal").is_none(), "{at}: an Allow to a principal in a resource policy");
        for a in &actions {
            let (service, name) = a.split_once(':').unwrap_or_else(|| panic!("{at}: action {a:?}"));
            assert!(!service.is_empty() && !name.contains('*') && !name.contains('?'), "{at}: wildcard action {a}");
        }
        let resources = strs(&st["Resource"]);
        let has_resource = !resources.is_empty() || st["Resource"].is_object() || st["Resource"].is_array();
        assert!(has_resource, "{at}: no Resource");
        if resources.iter().any(|r| r == "*") {
            stars += 1;
            let unscoped: Vec<&String> = actions.iter().filter(|a| !UNSCOPED_ACTIONS.contains(&a.as_str())).collect();
            assert!(unscoped.is_empty(), "{at}: Resource \"*\" for {unscoped:?}, which AWS scopes to resources");
        }
    }
    // Each `Resource: "*"` line carries its reason beside it.
    let mut commented = 0;
    for path in TEMPLATES {
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("Resource: \"*\"") || line.trim_start().starts_with("Resource: '*'") {
                let reason = line.split_once('#').map(|x| x.1).unwrap_or("");
                assert!(reason.split_whitespace().count() >= 8, "{path}:{}: Resource \"*\" without its reason", n + 1);
                commented += 1;
            }
        }
    }
    assert_eq!(stars, commented, "every * resource is written as one commented `Resource: \"*\"` line");
    assert_eq!(stars, 3, "GetAuthorizationToken (build, task execution) and the task-definition actions (pipeline)");
}

#[test]
fn roles_trust_only_their_aws_service_from_this_account() {
    let t = template("pipeline/site.yaml");
    let expected = [
        ("BuildRole", "codebuild.amazonaws.com"),
        ("PipelineRole", "codepipeline.amazonaws.com"),
        ("TaskExecutionRole", "ecs-tasks.amazonaws.com"),
    ];
    let roles: BTreeSet<&String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(roles.len(), expected.len(), "{roles:?}");
    for (role, service) in expected {
        let trust = &t["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"];
        assert_eq!(trust.as_array().unwrap().len(), 1, "{role}");
        assert_eq!(trust[0]["Principal"], json!({"Service": service}), "{role}");
        assert_eq!(trust[0]["Action"], "sts:AssumeRole", "{role}");
        assert_eq!(
            trust[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!({"Ref": "AWS::AccountId"}),
            "{role}"
        );
        assert!(t["Resources"][role]["Properties"].get("ManagedPolicyArns").is_none(), "{role}: a managed policy");
    }
}

// ---------------------------------------------------------------- drift

/// Environment variable names sitepack reads, wherever the code lives in
/// src/: every string literal shaped like one of its variables (`env =
/// "X"` on a flag, `env("X")`, or a list of names read in a loop).
fn sitepack_reads() -> BTreeSet<String> {
    let prefixes = ["AWS_", "CODEBUILD_", "SITEPACK_", "IMAGE_", "HTTPD_", "CONTAINER_", "SOURCE_DATE_"];
    let mut names = BTreeSet::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split('"') {
                    let shaped = piece.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                    if shaped && prefixes.iter().any(|p| piece.starts_with(p)) {
                        names.insert(piece.to_owned());
                    }
                }
            }
        }
    }
    names
}

/// Variables buildspec.yml reads (`$X`, `${X…}`) and exports.
fn buildspec_vars() -> (BTreeSet<String>, BTreeSet<String>) {
    let text = script(&parse_buildspec(&root().join("buildspec.yml")));
    let (mut reads, mut exports) = (BTreeSet::new(), BTreeSet::new());
    let ident = |s: &str| -> String {
        s.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect()
    };
    for piece in text.split('$').skip(1) {
        let name = ident(piece.strip_prefix('{').unwrap_or(piece));
        if name.len() > 2 {
            reads.insert(name);
        }
    }
    for piece in text.split("export ").skip(1) {
        exports.insert(ident(piece));
    }
    (reads, exports)
}

#[test]
fn the_project_sets_the_variables_buildspec_and_sitepack_read_and_no_other() {
    let t = template("pipeline/site.yaml");
    let vars = &t["Resources"]["Project"]["Properties"]["Environment"]["EnvironmentVariables"];
    let set: BTreeSet<String> =
        vars.as_array().unwrap().iter().map(|v| v["Name"].as_str().unwrap().to_owned()).collect();
    let sitepack = sitepack_reads();
    let (buildspec, exported) = buildspec_vars();
    for must in
        ["CONTAINER_NAME", "AWS_DEFAULT_REGION", "IMAGE_REPO_NAME", "IMAGE_TAG", "AWS_ACCOUNT_ID", "HTTPD_CONF_URI"]
    {
        assert!(
            sitepack.contains(must),
            "sitepack no longer reads {must}: the scan of src/ or the stacks need updating"
        );
    }
    // Nothing the project sets is dead: sitepack or the buildspec reads each.
    for name in &set {
        assert!(sitepack.contains(name) || buildspec.contains(name), "the project sets {name}, which nothing reads");
    }
    // What sitepack needs in CodeBuild to name the image, the container, the
    // conf and the base: from the project, the buildspec or CodeBuild itself.
    let from_buildspec: BTreeMap<&str, &str> =
        [("IMAGE_TAG", "the short commit"), ("SITEPACK_BASE_LOCK", "fetched from SITEPACK_BASE_LOCK_URI")].into();
    for (name, why) in &from_buildspec {
        assert!(exported.contains(*name), "buildspec.yml no longer exports {name} ({why})");
    }
    for need in [
        "AWS_ACCOUNT_ID",
        "IMAGE_REPO_NAME",
        "CONTAINER_NAME",
        "HTTPD_CONF_URI",
        "SITEPACK_NAMESPACE",
        "SITEPACK_BASE_NAME",
    ] {
        assert!(set.contains(need), "the project does not set {need}");
    }
    // Every variable the buildspec reads is set by the project, by the
    // buildspec itself, by CodeBuild, or is an alternative the stacks do not use.
    let not_used: BTreeMap<&str, &str> = [
        ("SITEPACK_GIT_URL", "sitepack is installed from the shared bucket, not built"),
        ("SITEPACK_GIT_REV", "sitepack is installed from the shared bucket, not built"),
        ("SITEPACK_BASE", "the base comes from the maintainers' lock"),
        ("SOURCE_DATE_EPOCH", "the buildspec sets it from the commit"),
        ("SITEPACK_PODMAN", "sitepack preview only, on a contributor's machine"),
        ("SITEPACK_PODMAN_ARGS", "sitepack preview only, on a contributor's machine"),
    ]
    .into();
    for name in &buildspec {
        let ok = set.contains(name)
            || exported.contains(name)
            || name.starts_with("CODEBUILD_")
            || not_used.contains_key(name.as_str());
        assert!(ok, "buildspec.yml reads {name}, which the project does not set");
    }
    // And everything sitepack reads with a CodeBuild meaning is accounted for.
    for name in sitepack.iter().filter(|n| n.starts_with("SITEPACK_") || n.starts_with("IMAGE_")) {
        let ok = set.contains(name)
            || exported.contains(name)
            || not_used.contains_key(name.as_str())
            || ["SITEPACK_IMAGE", "SITEPACK_CACHE_FROM", "SITEPACK_REGISTRY_AUTH"].contains(&name.as_str());
        assert!(ok, "sitepack reads {name}: set it in pipeline/site.yaml or say here why the pipeline does not");
    }
}

// ---------------------------------------------------------------- resolving

/// Resolves a deployed stack's template: parameters, pseudo parameters,
/// Refs and attributes of what moto created, imports.
struct Resolver<'a> {
    template: &'a Value,
    stack: &'a Value,
    exports: &'a Value,
}

impl Resolver<'_> {
    fn resource(&self, name: &str) -> &Value {
        &self.stack["resources"][name]
    }

    fn reference(&self, name: &str) -> String {
        match name {
            "AWS::AccountId" => return ACCOUNT.into(),
            "AWS::Region" => return REGION.into(),
            "AWS::Partition" => return "aws".into(),
            "AWS::URLSuffix" => return "amazonaws.com".into(),
            _ => {}
        }
        if let Some(v) = self.stack["parameters"][name].as_str() {
            return v.into();
        }
        if let Some(v) = self.resource(name)["physical_id"].as_str() {
            return v.into();
        }
        // Not created by moto: the name the template gives it (CodeBuild
        // project and pipeline: Ref is the name).
        let props = &self.template["Resources"][name]["Properties"];
        match props.get("Name") {
            Some(n) => self.resolve(n).as_str().unwrap().to_owned(),
            None => panic!("no value for Ref {name}"),
        }
    }

    fn attribute(&self, name: &str, att: &str) -> String {
        let r = self.resource(name);
        let v = match (r["type"].as_str().unwrap_or(""), att) {
            ("AWS::ECR::Repository", "Arn") => &r["repository"]["repositoryArn"],
            ("AWS::ECR::Repository", "RepositoryUri") => &r["repository"]["repositoryUri"],
            ("AWS::IAM::Role", "Arn") => &r["role"]["Arn"],
            ("AWS::ECS::Service", "Name") => &r["service"]["serviceName"],
            ("AWS::S3::Bucket", "Arn") => return format!("arn:aws:s3:::{}", r["physical_id"].as_str().unwrap()),
            ("AWS::EC2::SecurityGroup", "GroupId") => &r["physical_id"],
            _ => panic!("attribute {name}.{att} not known to the test"),
        };
        v.as_str().unwrap().to_owned()
    }

    fn sub(&self, text: &str, vars: &serde_json::Map<String, Value>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find('}').unwrap() + i;
            let name = &rest[i + 2..end];
            let value = if let Some(v) = vars.get(name) {
                self.resolve(v).as_str().unwrap().to_owned()
            } else if let Some((res, att)) = name.split_once('.') {
                self.attribute(res, att)
            } else {
                self.reference(name)
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn resolve(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().unwrap();
                match k.as_str() {
                    "Ref" => Value::String(self.reference(arg.as_str().unwrap())),
                    "Fn::GetAtt" => Value::String(self.attribute(arg[0].as_str().unwrap(), arg[1].as_str().unwrap())),
                    "Fn::Sub" => match arg {
                        Value::String(s) => Value::String(self.sub(s, &Default::default())),
                        _ => Value::String(self.sub(arg[0].as_str().unwrap(), arg[1].as_object().unwrap())),
                    },
                    "Fn::ImportValue" => {
                        let name = self.resolve(arg);
                        let value = &self.exports[name.as_str().unwrap()];
                        assert!(value.is_string(), "no export {name}");
                        value.clone()
                    }
                    "Fn::Join" => {
                        let parts: Vec<String> = self
                            .resolve(&arg[1])
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p.as_str().unwrap().to_owned())
                            .collect();
                        Value::String(parts.join(arg[0].as_str().unwrap()))
                    }
                    "Fn::Split" => {
                        let s = self.resolve(&arg[1]);
                        Value::Array(s.as_str().unwrap().split(arg[0].as_str().unwrap()).map(|p| json!(p)).collect())
                    }
                    _ => Value::Object(m.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect()),
                }
            }
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect()),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.resolve(x)).collect()),
            other => other.clone(),
        }
    }

    fn props(&self, name: &str) -> Value {
        self.resolve(&self.template["Resources"][name]["Properties"])
    }
}

/// IAM's glob: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let mut dp = vec![vec![false; t.len() + 1]; p.len() + 1];
    dp[0][0] = true;
    for i in 1..=p.len() {
        dp[i][0] = dp[i - 1][0] && p[i - 1] == '*';
        for j in 1..=t.len() {
            dp[i][j] = match p[i - 1] {
                '*' => dp[i - 1][j] || dp[i][j - 1],
                '?' => dp[i - 1][j - 1],
                c => dp[i - 1][j - 1] && c == t[j - 1],
            };
        }
    }
    dp[p.len()][t.len()]
}

// ---------------------------------------------------------------- moto

/// The "existing" infrastructure the shared stack takes as parameters: a VPC
/// with two subnets, a load balancer with its security group and an HTTP
/// listener, an ECS cluster.
fn existing_infrastructure(moto: &Moto) -> Value {
    let out = moto.boto3(
        "ec2 = client('ec2')\n\
         vpc = ec2.create_vpc(CidrBlock='10.9.0.0/16')['Vpc']['VpcId']\n\
         s1 = ec2.create_subnet(VpcId=vpc, CidrBlock='10.9.1.0/24', AvailabilityZone='eu-west-1a')['Subnet']['SubnetId']\n\
         s2 = ec2.create_subnet(VpcId=vpc, CidrBlock='10.9.2.0/24', AvailabilityZone='eu-west-1b')['Subnet']['SubnetId']\n\
         sg = ec2.create_security_group(GroupName='lb', Description='lb', VpcId=vpc)['GroupId']\n\
         elb = client('elbv2')\n\
         lb = elb.create_load_balancer(Name='main', Subnets=[s1, s2], SecurityGroups=[sg])['LoadBalancers'][0]['LoadBalancerArn']\n\
         listener = elb.create_listener(LoadBalancerArn=lb, Protocol='HTTP', Port=80, DefaultActions=[{'Type': 'fixed-response', \
         'FixedResponseConfig': {'StatusCode': '404'}}])['Listeners'][0]['ListenerArn']\n\
         client('ecs').create_cluster(clusterName='web')\n\
         print(json.dumps(dict(vpc=vpc, subnets=s1 + ',' + s2, sg=sg, listener=listener)))",
    );
    serde_json::from_str(&out).unwrap()
}

/// pipeline/deploy.sh with the AWS CLI of the tools venv, pointed at moto.
fn deploy_sh(moto: &Moto, args: &[&str]) -> String {
    let path = format!("{}:/usr/bin:/bin", tools().join("bin").display());
    let out = run(Command::new("bash")
        .arg(root().join("pipeline/deploy.sh"))
        .args(args)
        .env_clear()
        .env("PATH", path)
        .env("HOME", "/nonexistent")
        .envs(moto.env())
        .env("AWS_DEFAULT_REGION", REGION));
    assert!(out.status.success(), "deploy.sh {args:?} failed:\n{}\n{}", out.stdout, out.stderr);
    out.stderr
}

fn readback(moto: &Moto, stacks: &[&str]) -> Value {
    let mut env = moto.env();
    env.push(("AWS_DEFAULT_REGION", REGION.into()));
    let mut args = vec!["readback"];
    args.extend(stacks);
    cfn_py(&args, &env)
}

const MAIN: &str = "example";
/// Two sites whose names share a prefix, so a sloppy rule or policy shows.
const A: &str = "coffeefans";
const B: &str = "coffee";
const CONNECTION: &str =
    "arn:aws:codestar-connections:eu-west-1:123456789012:connection/0c0ffee0-0000-4000-8000-000000000001";

#[test]
fn two_sites_deploy_side_by_side_build_and_one_is_removed() {
    let started = std::time::Instant::now();
    let moto = Moto::start();
    let infra = existing_infrastructure(&moto);
    let reg = Registry::start_ecr_like(ACCOUNT);
    let base = reg.push_tiny_base("example/base:1");
    let work = tempfile::tempdir().unwrap();
    let lock = work.path().join("base.lock");
    std::fs::write(&lock, tiny_base_lock(&base)).unwrap();
    // The "release binary": a wrapper that runs this build's sitepack (the
    // debug binary is 300 MB; what is tested is the download, the sha256
    // check and the install the buildspec does).
    let binary = work.path().join("sitepack");
    std::fs::write(&binary, format!("#!/bin/sh\nexec {} \"$@\"\n", env!("CARGO_BIN_EXE_sitepack"))).unwrap();
    let conf = std::fs::read(operator_conf()).unwrap();

    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let i = |k: &str| infra[k].as_str().unwrap().to_owned();
    deploy_sh(
        &moto,
        &[
            "shared",
            "--main-site",
            MAIN,
            "--vpc",
            &i("vpc"),
            "--subnets",
            &i("subnets"),
            "--cluster",
            "web",
            "--listener",
            &i("listener"),
            "--lb-security-group",
            &i("sg"),
            "--sitepack",
            &s(&binary),
            "--base-lock",
            &s(&lock),
            "--base-name",
            "web",
        ],
    );
    // moto has no CodeStar Connections backend: the ARN is passed as an
    // operator does for a connection of their own (--connection-arn).
    for (site, priority) in [(A, "10"), (B, "20")] {
        let repo = format!("fans/{site}");
        let stderr = deploy_sh(
            &moto,
            &[
                "add-site",
                "--main-site",
                MAIN,
                "--site",
                site,
                "--repo",
                &repo,
                "--priority",
                priority,
                "--conf",
                &s(&operator_conf()),
                "--connection-arn",
                CONNECTION,
            ],
        );
        assert!(stderr.contains("runs 0 tasks until the first build"), "{stderr}");
    }
    let shared_stack = format!("sitepack-{MAIN}");
    let stack = |site: &str| format!("sitepack-{MAIN}-{site}");
    let got = readback(&moto, &[&shared_stack, &stack(A), &stack(B)]);
    let shared_t = template("pipeline/shared.yaml");
    let site_t = template("pipeline/site.yaml");
    let mut template_only: Vec<String> = Vec::new();

    // ---- the shared stack
    let sh = Resolver { template: &shared_t, stack: &got["stacks"][&shared_stack], exports: &got["exports"] };
    assert_eq!(sh.stack["status"], "CREATE_COMPLETE");
    let inputs = sh.reference("InputsBucket");
    let artifacts = sh.reference("ArtifactBucket");
    assert_eq!(inputs, format!("sitepack-{MAIN}-inputs-{ACCOUNT}-{REGION}"));
    for bucket in ["InputsBucket", "ArtifactBucket"] {
        let props = sh.props(bucket);
        let r = sh.resource(bucket);
        assert_eq!(r["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms");
        assert_eq!(props["VersioningConfiguration"]["Status"], "Enabled", "{bucket}");
        let pab = &props["PublicAccessBlockConfiguration"];
        for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            assert_eq!(pab[k], true, "{bucket} {k}");
        }
        for (what, key) in
            [("versioning", "versioning"), ("public access block", "public_access_block"), ("lifecycle", "lifecycle")]
        {
            if r[key].is_null() {
                template_only.push(format!("AWS::S3::Bucket {bucket}: {what} (moto leaves it out)"));
            }
        }
    }
    let ssm = |name: &str| -> String {
        let r = sh.resource(name);
        assert_eq!(r["parameter"]["Value"].as_str().unwrap(), sh.props(name)["Value"].as_str().unwrap());
        r["parameter"]["Value"].as_str().unwrap().to_owned()
    };
    let bin_sha = sha256_hex(&std::fs::read(&binary).unwrap());
    let lock_sha = sha256_hex(&std::fs::read(&lock).unwrap());
    assert_eq!(ssm("BinaryUriParameter"), format!("s3://{inputs}/build/sitepack/{bin_sha}/sitepack"));
    assert_eq!(ssm("BinarySha256Parameter"), bin_sha);
    assert_eq!(ssm("BaseLockUriParameter"), format!("s3://{inputs}/build/base-lock/{lock_sha}/base.lock"));
    assert_eq!(ssm("BaseLockSha256Parameter"), lock_sha);
    assert_eq!(ssm("BaseNameParameter"), "web");
    let base_repo = &sh.resource("BaseRepository")["repository"];
    assert_eq!(base_repo["repositoryName"], format!("{MAIN}/base"));
    let sg = &sh.resource("TaskSecurityGroup")["security_group"];
    assert_eq!(sg["VpcId"], i("vpc"));
    assert_eq!(sg["IpPermissions"][0]["FromPort"], 80);
    assert_eq!(sg["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], i("sg"), "HTTP from the load balancer only");
    // Types moto's CloudFormation does not create, by name, checked in the template.
    let created: BTreeSet<&String> = sh.stack["resources"].as_object().unwrap().keys().collect();
    let missing: BTreeSet<&String> =
        shared_t["Resources"].as_object().unwrap().keys().filter(|k| !created.contains(k)).collect();
    assert_eq!(
        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["ArtifactBucketPolicy", "GitConnection", "InputsBucketPolicy"],
        "resources moto did not create"
    );
    let conn = sh.props("GitConnection");
    assert_eq!(conn, json!({"ConnectionName": format!("{MAIN}-git"), "ProviderType": "GitHub"}));
    template_only.push("AWS::CodeStarConnections::Connection GitConnection (not created by moto)".into());
    for (policy, bucket) in [("InputsBucketPolicy", &inputs), ("ArtifactBucketPolicy", &artifacts)] {
        let p = sh.props(policy);
        assert_eq!(&p["Bucket"], bucket);
        let st = &p["PolicyDocument"]["Statement"][0];
        assert_eq!(st["Effect"], "Deny");
        assert_eq!(st["Resource"], json!([format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]));
        template_only.push(format!("AWS::S3::BucketPolicy {policy} (not created by moto)"));
    }
    // The buildspec in the shared bucket is this repository's, byte for byte.
    let installed = moto.boto3(&format!(
        "print(client('s3').get_object(Bucket='{inputs}', Key='build/buildspec.yml')['Body'].read().decode(), end='')"
    ));
    assert_eq!(installed, std::fs::read_to_string(root().join("buildspec.yml")).unwrap());

    // ---- the two sites
    let mut sites = BTreeMap::new();
    for site in [A, B] {
        let st = &got["stacks"][&stack(site)];
        assert_eq!(st["status"], "CREATE_COMPLETE", "{site}");
        sites.insert(site, Resolver { template: &site_t, stack: st, exports: &got["exports"] });
    }
    for (site, r) in &sites {
        let created: BTreeSet<&String> = r.stack["resources"].as_object().unwrap().keys().collect();
        let missing: Vec<&String> =
            site_t["Resources"].as_object().unwrap().keys().filter(|k| !created.contains(k)).collect();
        assert_eq!(missing, ["Pipeline", "Project"], "{site}: resources moto did not create");

        // Repository.
        let repo = &r.resource("Repository")["repository"];
        assert_eq!(repo["repositoryName"], format!("{MAIN}/{site}"));
        assert_eq!(repo["imageTagMutability"], "MUTABLE", "the `live` cache tag moves");
        let props = r.props("Repository");
        assert_eq!(props["ImageScanningConfiguration"]["ScanOnPush"], true);
        assert_eq!(props["EncryptionConfiguration"]["EncryptionType"], "KMS");
        let lifecycle: Value =
            serde_json::from_str(props["LifecyclePolicy"]["LifecyclePolicyText"].as_str().unwrap()).unwrap();
        assert_eq!(lifecycle["rules"].as_array().unwrap().len(), 1);
        assert_eq!(lifecycle["rules"][0]["selection"]["tagStatus"], "any", "rollback targets are kept tagged or not");
        assert!(lifecycle["rules"][0]["selection"]["countNumber"].as_u64().unwrap() >= 10);
        if repo["imageScanningConfiguration"].get("scanOnPush").is_none() {
            template_only.push(format!(
                "AWS::ECR::Repository {site}: scan on push, encryption, lifecycle (moto leaves them out)"
            ));
        }

        // Roles: what moto holds is the template's policy, resolved.
        for role in ["BuildRole", "PipelineRole", "TaskExecutionRole"] {
            let rr = r.resource(role);
            let props = r.props(role);
            assert_eq!(rr["role"]["AssumeRolePolicyDocument"], props["AssumeRolePolicyDocument"], "{site} {role}");
            let docs = &rr["policies"];
            assert_eq!(docs.as_object().unwrap().len(), 1, "{site} {role}");
            let p = &props["Policies"][0];
            assert_eq!(docs[p["PolicyName"].as_str().unwrap()], p["PolicyDocument"], "{site} {role}: policy in moto");
            assert_eq!(rr["attached"], json!([]), "{site} {role}: no managed policy");
        }

        // Task definition and service.
        let td = &r.resource("TaskDefinition")["task_definition"];
        assert_eq!(td["family"], format!("{MAIN}-{site}"));
        let c = &td["containerDefinitions"][0];
        assert_eq!(c["name"], *site);
        assert_eq!(c["image"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{MAIN}/{site}:live"));
        assert_eq!(c["portMappings"][0]["containerPort"], 80);
        assert_eq!(c["logConfiguration"]["options"]["awslogs-group"], format!("/sitepack/{MAIN}/{site}/httpd"));
        let tdp = r.props("TaskDefinition");
        assert_eq!(tdp["RequiresCompatibilities"], json!(["FARGATE"]));
        assert_eq!(tdp["NetworkMode"], "awsvpc");
        assert_eq!(tdp["ExecutionRoleArn"], r.resource("TaskExecutionRole")["role"]["Arn"]);
        assert!(tdp.get("TaskRoleArn").is_none(), "the container gets no AWS role");
        template_only.push(format!(
            "AWS::ECS::TaskDefinition {site}: Fargate, awsvpc, cpu, execution role (moto makes an EC2 bridge task)"
        ));
        let svc = &r.resource("Service")["service"];
        assert_eq!(svc["serviceName"], *site);
        assert_eq!(svc["taskDefinition"], r.resource("TaskDefinition")["physical_id"]);
        assert_eq!(svc["desiredCount"], 0, "no task before the first build pushed `live`");
        assert!(svc["clusterArn"].as_str().unwrap().ends_with(":cluster/web"));
        let sp = r.props("Service");
        assert_eq!(
            sp["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
            json!({"Enable": true, "Rollback": true})
        );
        assert_eq!(sp["LoadBalancers"][0]["ContainerName"], *site);
        assert_eq!(sp["LoadBalancers"][0]["TargetGroupArn"], r.resource("TargetGroup")["physical_id"]);
        assert_eq!(
            sp["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"],
            json!(i("subnets").split(',').collect::<Vec<_>>())
        );
        assert_eq!(
            sp["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"],
            json!([sh.resource("TaskSecurityGroup")["physical_id"]])
        );
        assert_eq!(sp["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"], "DISABLED");
        template_only.push(format!(
            "AWS::ECS::Service {site}: launch type, network, load balancer, circuit breaker (moto leaves them out)"
        ));

        // Target group, listener rule, logs.
        let tg = &r.resource("TargetGroup")["target_group"];
        assert_eq!(
            (tg["Protocol"].as_str(), tg["Port"].as_u64(), tg["TargetType"].as_str()),
            (Some("HTTP"), Some(80), Some("ip"))
        );
        assert_eq!(tg["VpcId"], i("vpc"));
        assert_eq!(tg["HealthCheckPath"], format!("/{site}/"));
        let rule = &r.resource("ListenerRule")["rule"];
        assert_eq!(
            rule["Actions"],
            json!([{"Type": "forward", "TargetGroupArn": r.resource("TargetGroup")["physical_id"]}])
        );
        for lg in ["BuildLogGroup", "ServiceLogGroup"] {
            assert_eq!(r.resource(lg)["log_group"]["retentionInDays"], 365, "{site} {lg}");
        }

        // CodeBuild project (not created by moto), resolved.
        let p = r.props("Project");
        template_only.push(format!("AWS::CodeBuild::Project {}: every property (not created by moto)", p["Name"]));
        assert_eq!(p["Name"], format!("{MAIN}-{site}"));
        assert_eq!(p["ServiceRole"], r.resource("BuildRole")["role"]["Arn"]);
        assert_eq!(
            p["Source"],
            json!({"Type": "CODEPIPELINE", "BuildSpec": format!("arn:aws:s3:::{inputs}/build/buildspec.yml")})
        );
        assert_eq!(p["Environment"]["PrivilegedMode"], false);
        assert!(p["TimeoutInMinutes"].as_u64().unwrap() <= 60);
        assert_eq!(p["LogsConfig"]["CloudWatchLogs"]["GroupName"], r.resource("BuildLogGroup")["physical_id"]);
        // CodePipeline (not created by moto), resolved.
        let pl = r.props("Pipeline");
        template_only.push(format!("AWS::CodePipeline::Pipeline {}: every property (not created by moto)", pl["Name"]));
        assert_eq!(pl["Name"], *site, "the artifact prefix the roles are scoped to");
        assert_eq!(pl["RoleArn"], r.resource("PipelineRole")["role"]["Arn"]);
        assert_eq!(pl["ArtifactStore"], json!({"Type": "S3", "Location": artifacts}));
        let stages = pl["Stages"].as_array().unwrap();
        let names: Vec<&str> = stages.iter().map(|s| s["Name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Source", "Build", "Deploy"]);
        let source = &stages[0]["Actions"][0]["Configuration"];
        assert_eq!(source["ConnectionArn"], CONNECTION);
        assert_eq!(source["FullRepositoryId"], format!("fans/{site}"));
        assert_eq!(source["BranchName"], "main");
        assert_eq!(source["OutputArtifactFormat"], "CODEBUILD_CLONE_REF", "full clone: the commit time");
        assert_eq!(stages[1]["Actions"][0]["Configuration"]["ProjectName"], p["Name"]);
        let deploy = &stages[2]["Actions"][0];
        assert_eq!(deploy["ActionTypeId"]["Provider"], "ECS");
        assert_eq!(deploy["Configuration"]["ClusterName"], "web");
        assert_eq!(deploy["Configuration"]["ServiceName"], *site);
        assert_eq!(deploy["Configuration"]["FileName"], "imagedefinitions.json");
        assert_eq!(deploy["InputArtifacts"], stages[1]["Actions"][0]["OutputArtifacts"]);
    }

    // ---- one site's roles name nothing of the other's
    let things_of = |site: &str, r: &Resolver| -> Vec<String> {
        vec![
            r.resource("Repository")["repository"]["repositoryArn"].as_str().unwrap().to_owned(),
            format!("arn:aws:s3:::{inputs}/conf/{site}/httpd.conf"),
            format!("arn:aws:s3:::{artifacts}/{site}/Source/abc123"),
            format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sitepack/{MAIN}/{site}/build:log-stream:x"),
            format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sitepack/{MAIN}/{site}/httpd:log-stream:x"),
            format!("arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{MAIN}-{site}"),
            r.resource("Service")["physical_id"].as_str().unwrap().to_owned(),
            format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{MAIN}-{site}:7"),
            r.resource("TaskExecutionRole")["role"]["Arn"].as_str().unwrap().to_owned(),
        ]
    };
    for (me, other) in [(A, B), (B, A)] {
        let theirs = things_of(other, &sites[other]);
        let mine = things_of(me, &sites[me]);
        for role in ["BuildRole", "PipelineRole", "TaskExecutionRole"] {
            let docs = &sites[me].resource(role)["policies"];
            for doc in docs.as_object().unwrap().values() {
                for st in doc["Statement"].as_array().unwrap() {
                    for pattern in strs(&st["Resource"]).iter().filter(|p| *p != "*") {
                        for thing in &theirs {
                            assert!(!glob(pattern, thing), "{me} {role}: {pattern} names {other}'s {thing}");
                        }
                    }
                }
            }
        }
        // The control: the same walk does reach the site's own things.
        let build = sites[me].resource("BuildRole")["policies"]["build"].to_string();
        let patterns: Vec<String> = serde_json::from_str::<Value>(&build).unwrap()["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|st| strs(&st["Resource"]))
            .collect();
        for thing in &mine[..4] {
            assert!(patterns.iter().any(|p| glob(p, thing)), "{me}'s build role does not reach {thing}");
        }
    }

    // ---- listener rules do not collide; health checks lie under the prefix
    let rule_of = |site: &str| -> (String, Vec<String>) {
        let rule = &sites[site].resource("ListenerRule")["rule"];
        let values = strs(&rule["Conditions"][0]["PathPatternConfig"]["Values"]);
        (rule["Priority"].as_str().unwrap().to_owned(), values)
    };
    let (pa, va) = rule_of(A);
    let (pb, vb) = rule_of(B);
    assert_ne!(pa, pb, "priorities");
    assert_eq!(va, [format!("/{A}"), format!("/{A}/*")]);
    assert_eq!(vb, [format!("/{B}"), format!("/{B}/*")]);
    for (site, mine, theirs) in [(A, &va, &vb), (B, &vb, &va)] {
        let probes = [format!("/{site}"), format!("/{site}/"), format!("/{site}/index.html"), format!("/{site}/a/b?c")];
        for probe in &probes {
            assert!(mine.iter().any(|p| glob(p, probe)), "{site}'s rule misses {probe}");
            assert!(!theirs.iter().any(|p| glob(p, probe)), "the other site's rule also takes {probe}");
        }
        assert!(!mine.iter().any(|p| glob(p, &format!("/{site}x")) || glob(p, "/") || glob(p, "/other/")));
        let health =
            sites[site].resource("TargetGroup")["target_group"]["HealthCheckPath"].as_str().unwrap().to_owned();
        assert!(health.starts_with(&format!("/{site}/")), "{site}: health check {health}");
        assert!(mine.iter().any(|p| glob(p, &health)) && !theirs.iter().any(|p| glob(p, &health)));
    }

    // ---- the build site A's project defines
    let (checkout, commit) = committed_example_repo();
    let ra = &sites[A];
    let project = ra.props("Project");
    let ssm_values: BTreeMap<String, String> = sh.stack["resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["type"] == "AWS::SSM::Parameter")
        .map(|r| (r["physical_id"].as_str().unwrap().to_owned(), r["parameter"]["Value"].as_str().unwrap().to_owned()))
        .collect();
    let mut project_env = Vec::new();
    for var in project["Environment"]["EnvironmentVariables"].as_array().unwrap() {
        let (name, value) = (var["Name"].as_str().unwrap(), var["Value"].as_str().unwrap());
        let value = match var["Type"].as_str().unwrap_or("PLAINTEXT") {
            "PLAINTEXT" => value.to_owned(),
            "PARAMETER_STORE" => {
                ssm_values.get(value).unwrap_or_else(|| panic!("{name}: no parameter {value}")).clone()
            }
            other => panic!("{name}: variable type {other}"),
        };
        project_env.push((name.to_owned(), value));
    }
    // The buildspec the project names, from the shared bucket.
    let spec_key = project["Source"]["BuildSpec"]
        .as_str()
        .unwrap()
        .strip_prefix(&format!("arn:aws:s3:::{inputs}/"))
        .unwrap()
        .to_owned();
    let spec_file = work.path().join("buildspec.yml");
    moto.boto3(&format!("client('s3').download_file('{inputs}', '{spec_key}', '{}')", spec_file.display()));
    let build_script = script(&parse_buildspec(&spec_file));
    // /usr/local/bin, where the buildspec installs sitepack, is an empty
    // folder of this test in a mount namespace of its own.
    let bin = tempfile::tempdir().unwrap();
    let tag = &commit[..7];
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "bash", "-c"])
        .arg(format!("mount --bind {} /usr/local/bin || exit 1\nexec bash -c \"$0\"", bin.path().display()))
        .arg(format!("{build_script}\necho \"IMAGE_TAG=$IMAGE_TAG\"\n"))
        .current_dir(checkout.path())
        .env_clear()
        .env("PATH", format!("/usr/local/bin:{}:/usr/bin:/bin", tools().join("bin").display()))
        .env("HOME", checkout.path())
        .envs(project_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        // What CodeBuild sets itself.
        .env("CODEBUILD_RESOLVED_SOURCE_VERSION", &commit)
        .env("CODEBUILD_SRC_DIR", checkout.path())
        .env("CODEBUILD_BUILD_ID", format!("{MAIN}-{A}:0f1e2d3c"))
        // The rig: moto for AWS, the test CA, the local registry in place of
        // ACCOUNT.dkr.ecr.REGION.amazonaws.com (no DNS for it here).
        .envs(moto.env())
        .env("SSL_CERT_FILE", reg.ca_bundle.as_ref().unwrap())
        .env("SITEPACK_IMAGE", format!("{}/{MAIN}/{A}:{tag}", reg.host))
        .env("SITEPACK_REGISTRY_AUTH", "ecr")
        .env("DOCKER_CONFIG", checkout.path().join(".no-docker-config"));
    let out = run(&mut cmd);
    assert!(out.status.success(), "the project's build failed:\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(&format!("IMAGE_TAG={tag}")), "{}", out.stdout);
    let installed = std::fs::read(bin.path().join("sitepack")).unwrap();
    assert_eq!(installed, std::fs::read(&binary).unwrap(), "sitepack installed from the shared bucket");
    let report: Value =
        serde_json::from_slice(&std::fs::read(checkout.path().join("sitepack-report.json")).unwrap()).unwrap();
    assert_eq!(report["base"]["name"], "web", "built on the maintainers' lock from the bucket: {report}");
    let digest = report["digest"].as_str().unwrap();
    let defs: Value =
        serde_json::from_slice(&std::fs::read(checkout.path().join("imagedefinitions.json")).unwrap()).unwrap();
    let container = &ra.resource("TaskDefinition")["task_definition"]["containerDefinitions"][0]["name"];
    assert_eq!(defs, json!([{"name": container, "imageUri": format!("{}/{MAIN}/{A}@{digest}", reg.host)}]));
    assert_eq!(reg.manifest_digest(&format!("{MAIN}/{A}:{tag}")).as_deref(), Some(digest));
    assert_eq!(
        reg.manifest_digest(&format!("{MAIN}/{A}:live")).as_deref(),
        Some(digest),
        "the cache tag the task definition runs"
    );
    assert_eq!(
        reg.file_in_image(&format!("{MAIN}/{A}:live"), "etc/httpd/conf/httpd.conf"),
        Some(conf),
        "the conf from the bucket"
    );

    // ---- remove site B: nothing of it is left but its image repository
    // A revision the pipeline's ECS deploy would have registered.
    moto.boto3(&format!(
        "client('ecs').register_task_definition(family='{MAIN}-{B}', containerDefinitions=[{{'name': '{B}', \
         'image': 'x@sha256:{}', 'memory': 512}}])",
        "0".repeat(64)
    ));
    let stderr = deploy_sh(&moto, &["remove-site", "--main-site", MAIN, "--site", B]);
    assert!(stderr.contains(&format!("kept on purpose: image repository {MAIN}/{B}")), "{stderr}");
    let after = readback(&moto, &[&shared_stack, &stack(A)]);
    let all = &after["all"];
    let names = |key: &str| -> Vec<String> { strs(&all[key]) };
    let of = |site: &str| format!("{}-", stack(site));
    assert!(!names("roles").iter().any(|r| r.starts_with(&of(B))), "roles left: {:?}", names("roles"));
    assert_eq!(names("roles").iter().filter(|r| r.starts_with(&of(A))).count(), 3, "site A keeps its roles");
    let b_logs: Vec<String> = names("log_groups").into_iter().filter(|g| g.contains(&format!("/{B}/"))).collect();
    assert!(b_logs.is_empty(), "log groups left: {b_logs:?}");
    let b_defs: Vec<String> =
        names("task_definitions").into_iter().filter(|t| t.contains(&format!("/{MAIN}-{B}:"))).collect();
    assert!(b_defs.is_empty(), "task definitions left: {b_defs:?}");
    assert!(names("task_definitions").iter().any(|t| t.contains(&format!("/{MAIN}-{A}:"))), "site A's are kept");
    let repos = names("repositories");
    assert!(repos.contains(&format!("{MAIN}/{B}")) && repos.contains(&format!("{MAIN}/{A}")), "{repos:?}");
    let confs = moto.boto3(&format!(
        "print(json.dumps([o['Key'] for o in client('s3').list_objects_v2(Bucket='{inputs}', Prefix='conf/').get('Contents', [])]))"
    ));
    assert_eq!(serde_json::from_str::<Value>(&confs).unwrap(), json!([format!("conf/{A}/httpd.conf")]));
    // moto's CloudFormation does not delete ELBv2 and ECS resources with the
    // stack (real CloudFormation does, unless a resource is retained): only
    // the repository is retained, and nothing else of the site's stack is.
    let retained: Vec<&String> = site_t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r.get("DeletionPolicy").is_some() || r.get("UpdateReplacePolicy").is_some())
        .map(|(n, _)| n)
        .collect();
    assert_eq!(retained, ["Repository"]);
    assert_eq!(site_t["Resources"]["Repository"]["DeletionPolicy"], "Retain");
    assert!(
        site_t["Resources"]["Repository"]["Properties"].get("RepositoryPolicyText").is_none(),
        "no repository policy"
    );
    template_only.push(format!(
        "removal of {B}'s listener rule, target group, service, task definition (moto's CloudFormation leaves them; none is retained)"
    ));

    eprintln!("checked against the resolved template only (not created or not applied by moto's CloudFormation):");
    for line in &template_only {
        eprintln!("  {line}");
    }
    eprintln!("two sites deployed, built and removed in {:.1} s", started.elapsed().as_secs_f64());
}
