#!/usr/bin/env bash
# Sets up and changes sitepack's pipelines with the AWS CLI (v1 or v2) and the
# templates beside this script. Uses the CLI's credentials and region.
#
#   deploy.sh shared --main-site NAME [--vpc ID --subnets ID,ID --cluster NAME
#       --listener ARN --lb-security-group ID] [--git-provider GitHub]
#       [--sitepack FILE] [--base-lock FILE --base-name NAME]
#       Creates or updates the shared stack sitepack-NAME. Uploads this
#       repository's buildspec.yml every time, and the sitepack binary and the
#       base lock when given (content-addressed by sha256). Given again with a
#       new --sitepack or --base-lock, it moves every site's next build to it.
#
#   deploy.sh add-site --main-site NAME --site SITE --repo OWNER/REPO
#       --priority N [--conf FILE] [--branch main] [--cpu 256] [--memory 512]
#       [--count N] [--public-ip]
#       Creates or updates the stack sitepack-NAME-SITE (--conf is required the
#       first time: the operator's httpd.conf for the site). Until the site's
#       first build has pushed its image the service runs 0 tasks; run the
#       same command again once the pipeline has succeeded.
#
#   deploy.sh remove-site --main-site NAME --site SITE
#       Deletes the site's stack, its conf and the task definition revisions
#       its pipeline registered. Keeps the image repository (named at the end).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
buildspec=$here/../buildspec.yml

die() { echo "deploy.sh: $*" >&2; exit 2; }
say() { echo "deploy.sh: $*" >&2; }

stack_status() {
    aws cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || true
}
stack_exists() {
    local status
    status=$(stack_status "$1")
    # A first deployment that failed leaves a stack that can only be deleted.
    if [[ $status == ROLLBACK_COMPLETE ]]; then
        say "$1 failed to create earlier; deleting it before trying again"
        aws cloudformation delete-stack --stack-name "$1"
        aws cloudformation wait stack-delete-complete --stack-name "$1"
        return 1
    fi
    [[ -n $status ]]
}
stack_output() { # STACK KEY
    aws cloudformation describe-stacks --stack-name "$1" \
        --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
stack_parameter() { # STACK KEY
    aws cloudformation describe-stacks --stack-name "$1" \
        --query "Stacks[0].Parameters[?ParameterKey=='$2'].ParameterValue" --output text
}
sha256() { sha256sum "$1" | cut -d' ' -f1; }
failure_reasons() {
    aws cloudformation describe-stack-events --stack-name "$1" --output text \
        --query 'StackEvents[?contains(ResourceStatus, `FAILED`)].[LogicalResourceId,ResourceStatusReason]' >&2 || true
}

# Creates or updates STACK from TEMPLATE with KEY=VALUE parameters; on an
# update, parameters not given keep their values. (create/update-stack
# rather than `aws cloudformation deploy`: same result, and no change sets.)
deploy_stack() { # STACK TEMPLATE KEY=VALUE...
    local stack=$1 template=$2 kv key given out value
    shift 2
    local args=()
    for kv in "$@"; do
        value=${kv#*=}
        args+=("ParameterKey=${kv%%=*},ParameterValue=${value//,/\\,}")
    done
    local common=(--stack-name "$stack" --template-body "file://$template" --capabilities CAPABILITY_IAM
        --tags "Key=sitepack:stack,Value=$stack")
    if stack_exists "$stack"; then
        for key in $(aws cloudformation describe-stacks --stack-name "$stack" \
            --query 'Stacks[0].Parameters[].ParameterKey' --output text); do
            given=''
            for kv in "$@"; do [[ ${kv%%=*} == "$key" ]] && given=1; done
            [[ -n $given ]] || args+=("ParameterKey=$key,UsePreviousValue=true")
        done
        if ! out=$(aws cloudformation update-stack "${common[@]}" --parameters "${args[@]}" 2>&1); then
            if grep -q "No updates are to be performed" <<<"$out"; then
                say "$stack: no change"
                return 0
            fi
            echo "$out" >&2
            return 1
        fi
        aws cloudformation wait stack-update-complete --stack-name "$stack" || { failure_reasons "$stack"; return 1; }
    else
        aws cloudformation create-stack "${common[@]}" --parameters "${args[@]}" >/dev/null
        aws cloudformation wait stack-create-complete --stack-name "$stack" || { failure_reasons "$stack"; return 1; }
    fi
    say "$stack: $(stack_status "$stack")"
}

cmd=${1:-}
[[ -n $cmd ]] || die "usage: deploy.sh shared|add-site|remove-site [options] (see the top of this file)"
shift

main='' site='' repo='' branch='' priority='' conf='' cpu='' memory='' count='' public_ip=''
connection='' vpc='' subnets='' cluster='' listener='' lb_sg='' provider='' sitepack_bin='' base_lock='' base_name=''
while (($#)); do
    opt=$1
    if [[ $opt == --public-ip ]]; then
        public_ip=ENABLED
        shift
        continue
    fi
    [[ $# -ge 2 ]] || die "$opt needs a value"
    val=$2
    shift 2
    case $opt in
        --main-site) main=$val ;;
        --site) site=$val ;;
        --repo) repo=$val ;;
        --branch) branch=$val ;;
        --priority) priority=$val ;;
        --conf) conf=$val ;;
        --cpu) cpu=$val ;;
        --memory) memory=$val ;;
        --count) count=$val ;;
        --vpc) vpc=$val ;;
        --subnets) subnets=$val ;;
        --cluster) cluster=$val ;;
        --listener) listener=$val ;;
        --lb-security-group) lb_sg=$val ;;
        --git-provider) provider=$val ;;
        --connection-arn) connection=$val ;;
        --sitepack) sitepack_bin=$val ;;
        --base-lock) base_lock=$val ;;
        --base-name) base_name=$val ;;
        *) die "unknown option $opt" ;;
    esac
done
[[ -n $main ]] || die "--main-site is required"
shared_stack=sitepack-$main

case $cmd in
shared)
    params=("MainSite=$main")
    [[ -n $vpc ]] && params+=("VpcId=$vpc")
    [[ -n $subnets ]] && params+=("Subnets=$subnets")
    [[ -n $cluster ]] && params+=("ClusterName=$cluster")
    [[ -n $listener ]] && params+=("ListenerArn=$listener")
    [[ -n $lb_sg ]] && params+=("LoadBalancerSecurityGroupId=$lb_sg")
    [[ -n $provider ]] && params+=("GitProvider=$provider")
    [[ -n $base_name ]] && params+=("BaseName=$base_name")
    uploads=()
    if [[ -n $sitepack_bin ]]; then
        [[ -f $sitepack_bin ]] || die "--sitepack $sitepack_bin: no such file"
        bin_sha=$(sha256 "$sitepack_bin")
        params+=("SitepackBinarySha256=$bin_sha")
        uploads+=("$sitepack_bin" "build/sitepack/$bin_sha/sitepack")
    fi
    if [[ -n $base_lock ]]; then
        [[ -f $base_lock ]] || die "--base-lock $base_lock: no such file"
        lock_sha=$(sha256 "$base_lock")
        params+=("BaseLockSha256=$lock_sha")
        uploads+=("$base_lock" "build/base-lock/$lock_sha/base.lock")
    fi
    # The one buildspec: this repository's, byte for byte.
    uploads+=("$buildspec" "build/buildspec.yml")
    upload_all() {
        local bucket
        bucket=$(stack_output "$shared_stack" InputsBucket)
        for ((i = 0; i < ${#uploads[@]}; i += 2)); do
            aws s3 cp --no-progress "${uploads[i]}" "s3://$bucket/${uploads[i + 1]}" >&2
        done
    }
    # Objects first when the bucket exists, so the build parameters never
    # name an object that is not there yet.
    if stack_exists "$shared_stack"; then
        upload_all
        deploy_stack "$shared_stack" "$here/shared.yaml" "${params[@]}"
    else
        [[ -n $sitepack_bin && -n $base_lock && -n $base_name && -n $vpc && -n $subnets && -n $cluster && -n $listener && -n $lb_sg ]] ||
            die "the first deployment needs --vpc --subnets --cluster --listener --lb-security-group --sitepack --base-lock --base-name"
        deploy_stack "$shared_stack" "$here/shared.yaml" "${params[@]}"
        upload_all
    fi
    connection=$(stack_output "$shared_stack" ConnectionArn)
    status=$(aws codestar-connections get-connection --connection-arn "$connection" \
        --query Connection.ConnectionStatus --output text 2>/dev/null || echo UNKNOWN)
    say "shared stack $shared_stack is up to date; git connection $connection is $status"
    if [[ $status != AVAILABLE ]]; then
        say "approve it once: console > Developer Tools > Settings > Connections > $main-git > Update pending connection"
    fi
    ;;

add-site)
    [[ -n $site ]] || die "--site is required"
    stack=$shared_stack-$site
    repository=$main/$site
    exists=''
    stack_exists "$stack" && exists=1
    if [[ -z $exists ]]; then
        [[ -n $repo && -n $priority && -n $conf ]] || die "a new site needs --repo OWNER/REPO --priority N --conf FILE"
    fi
    if [[ -n $conf ]]; then
        [[ -f $conf ]] || die "--conf $conf: no such file"
        bucket=$(stack_output "$shared_stack" InputsBucket)
        aws s3 cp --no-progress "$conf" "s3://$bucket/conf/$site/httpd.conf" >&2
    fi
    params=("MainSite=$main" "SiteName=$site")
    if [[ -z $connection && -z $exists ]]; then
        connection=$(stack_output "$shared_stack" ConnectionArn)
    fi
    [[ -n $connection && $connection != None ]] && params+=("ConnectionArn=$connection")
    [[ -n $repo ]] && params+=("RepositoryId=$repo")
    [[ -n $branch ]] && params+=("Branch=$branch")
    [[ -n $priority ]] && params+=("ListenerRulePriority=$priority")
    [[ -n $cpu ]] && params+=("TaskCpu=$cpu")
    [[ -n $memory ]] && params+=("TaskMemory=$memory")
    [[ -n $public_ip ]] && params+=("AssignPublicIp=$public_ip")
    # The service needs the image the first build pushes (tag `live`).
    waiting=''
    if [[ -n $count ]]; then
        params+=("DesiredCount=$count")
    elif ! aws ecr describe-images --repository-name "$repository" --image-ids imageTag=live >/dev/null 2>&1; then
        params+=("DesiredCount=0")
        waiting=1
    elif [[ -z $exists ]] || [[ $(stack_parameter "$stack" DesiredCount) == 0 ]]; then
        params+=("DesiredCount=1")
    fi
    deploy_stack "$stack" "$here/site.yaml" "${params[@]}"
    say "site $site: pipeline $site, image repository $repository, served under /$site/"
    if [[ -n $waiting ]]; then
        say "the service runs 0 tasks until the first build has pushed $repository:live; once the pipeline $site has succeeded, run this command again"
    fi
    ;;

remove-site)
    [[ -n $site ]] || die "--site is required"
    stack=$shared_stack-$site
    stack_exists "$stack" || die "no stack $stack"
    repository=$(stack_output "$stack" Repository)
    family=$(stack_output "$stack" TaskFamily)
    aws cloudformation delete-stack --stack-name "$stack"
    aws cloudformation wait stack-delete-complete --stack-name "$stack"
    # Revisions the pipeline registered (the stack removed its own).
    for arn in $(aws ecs list-task-definitions --family-prefix "$family" --query 'taskDefinitionArns[]' --output text); do
        [[ $arn == */"$family":* ]] || continue
        aws ecs deregister-task-definition --task-definition "$arn" >/dev/null
    done
    bucket=$(stack_output "$shared_stack" InputsBucket)
    aws s3 rm "s3://$bucket/conf/$site/httpd.conf" >&2
    say "removed site $site (stack, roles, service, listener rule, target group, project, pipeline, logs, conf)"
    say "kept on purpose: image repository $repository; delete it with: aws ecr delete-repository --repository-name $repository --force"
    ;;

*) die "unknown command $cmd (shared, add-site, remove-site)" ;;
esac
