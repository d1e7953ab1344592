#!/usr/bin/env bash
# Deploys (or updates in place) both stacks with the AWS CLI, from a clean clone. Read it before
# running it: it creates an S3 bucket, two CloudFormation stacks and IAM roles in the accounts
# you name.
#
#   SOURCE_PROFILE=prod DEST_PROFILE=backup REGION=us-east-1 DR_REGION=us-west-2 \
#   BUCKET=my-snapshot-tool-code ./examples/deploy-walkthrough.sh
#
# Run it again after pulling a new version: it rebuilds, uploads the new zips and updates both
# stacks in place. The packaged templates name each zip by its content hash, so the functions get
# the new code; a build with unchanged code leaves the stacks as they are ("No changes to deploy").
#
# Encrypted clusters: the source key must let the destination account use it (see README,
# "KMS keys for an encrypted fleet"); pass the destination's keys as KMS_SOURCE / KMS_DEST.
#
# Optional settings:
#   SOURCE_PROFILE= / DEST_PROFILE=   set but empty: use the ambient credentials (AWS_PROFILE,
#                                     environment) for that side
#   ENDPOINT=http://127.0.0.1:5000    send every AWS CLI call there (an emulator such as
#                                     moto_server); AWS_ENDPOINT_URL is honoured too. With an
#                                     endpoint the profiles default to the ambient credentials.
#   SKIP_BUILD=1                      deploy ARTIFACTS as they are (no install, build or package)
#   ARTIFACTS=dir                     what `pnpm package` wrote, from the repository root (default
#                                     packages/lambda-adapter/artifacts)
#   SOURCE_STACK / DEST_STACK         stack names (default snapshot-tool-aurora-source / -dest)
#   RETENTION_DAYS, CROSS_ACCOUNT_COPY, KMS_SOURCE / KMS_DEST, VERIFY_ENABLED: passed only when
#   set, so a re-run (an upgrade) keeps the values the stacks have; a new stack takes the
#   template's defaults (7, TRUE, None, None, FALSE)
set -euo pipefail

ENDPOINT="${ENDPOINT:-${AWS_ENDPOINT_URL:-}}"
if [[ -n "$ENDPOINT" ]]; then
  SOURCE_PROFILE="${SOURCE_PROFILE:-}"
  DEST_PROFILE="${DEST_PROFILE:-}"
fi
: "${SOURCE_PROFILE?name the AWS CLI profile of the account that runs the clusters}"
: "${DEST_PROFILE?name the AWS CLI profile of the account that keeps the copies}"
: "${REGION:?the region the clusters live in}"
: "${DR_REGION:?the region the copies are kept in}"
: "${BUCKET:?a bucket name for the function code (created in each account if missing)}"
# Settings given here override the stack's; the others keep what the stack has (or the default).
optional() { # PARAMETER VALUE -> PARAMETER=VALUE when VALUE is set
  if [[ -n "$2" ]]; then echo "$1=$2"; fi
}
SOURCE_STACK="${SOURCE_STACK:-snapshot-tool-aurora-source}"
DEST_STACK="${DEST_STACK:-snapshot-tool-aurora-dest}"
# CloudFormation takes a template of up to 51,200 bytes inline; a larger one goes through S3.
INLINE_TEMPLATE_LIMIT=51200
# AWS CLI v2 would page long output through less.
export AWS_PAGER=""

cd "$(dirname "$0")/.."
ARTIFACTS="${ARTIFACTS:-packages/lambda-adapter/artifacts}"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  pnpm install --frozen-lockfile
  pnpm build
  # Writes the zips under their original names and under content-addressed keys
  # (take_snapshots_aurora-<sha256 prefix>.zip, ...) plus source.yaml and dest.yaml, whose
  # S3Keys name those keys.
  mkdir -p "$ARTIFACTS"
  pnpm package "$(cd "$ARTIFACTS" && pwd)"
fi
for file in source.yaml dest.yaml; do
  [[ -f "$ARTIFACTS/$file" ]] || {
    echo "$ARTIFACTS/$file is missing: run pnpm package (or unset SKIP_BUILD)" >&2
    exit 1
  }
done

# The AWS CLI as one side of the deployment: aws_as PROFILE ARGS...
aws_as() {
  local profile="$1"
  shift
  local extra=()
  [[ -n "$profile" ]] && extra+=(--profile "$profile")
  # --endpoint-url rather than relying on AWS_ENDPOINT_URL: AWS CLI releases before 1.29 / 2.13
  # (Debian's awscli among them) ignore the variable.
  [[ -n "$ENDPOINT" ]] && extra+=(--endpoint-url "$ENDPOINT")
  aws "${extra[@]}" "$@"
}

# `cloudformation deploy` uploads a template over 51,200 bytes with an S3 client of its own, which
# --endpoint-url does not reach; the S3-only variable does (AWS CLI 1.29 / 2.13 and later). The
# change set then names the template by a path-style URL on that endpoint, which moto reads from
# its own S3 only when the host is spelt localhost (still the loopback interface).
if [[ -n "$ENDPOINT" ]]; then export AWS_ENDPOINT_URL_S3="${ENDPOINT/127.0.0.1/localhost}"; fi

upload() { # profile bucket
  aws_as "$1" s3api head-bucket --bucket "$2" --region "$REGION" >/dev/null 2>&1 ||
    aws_as "$1" s3 mb "s3://$2" --region "$REGION"
  # Both names of every zip: the content-addressed keys the packaged templates deploy, and the
  # original names for templates that name those.
  aws_as "$1" s3 cp "$ARTIFACTS/" "s3://$2/" --recursive --exclude "*" --include "*.zip" \
    --region "$REGION" --only-show-errors
}

deploy() { # profile stack template bucket parameters...
  local profile="$1" stack="$2" template="$3" bucket="$4"
  shift 4
  local via_s3=()
  if (($(wc -c <"$template") > INLINE_TEMPLATE_LIMIT)); then
    via_s3=(--s3-bucket "$bucket" --s3-prefix templates)
  fi
  # Creates the stack, or updates it in place through a change set; an identical template and
  # parameters are "No changes to deploy" and exit 0.
  local out
  if ! out=$(aws_as "$profile" cloudformation deploy --region "$REGION" \
    --stack-name "$stack" --template-file "$template" "${via_s3[@]}" \
    --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
    --parameter-overrides "$@" 2>&1); then
    # Some endpoints (moto) refuse the change set itself for an unchanged stack rather than
    # creating an empty one: that is the same "nothing to do".
    if grep -q "No updates are to be performed" <<<"$out"; then
      echo "$stack: no changes to deploy"
      return 0
    fi
    echo "$out" >&2
    return 1
  fi
  echo "$out"
}

dest_account=$(aws_as "$DEST_PROFILE" sts get-caller-identity --region "$REGION" \
  --query Account --output text)
source_account=$(aws_as "$SOURCE_PROFILE" sts get-caller-identity --region "$REGION" \
  --query Account --output text)
mapfile -t source_settings < <(
  optional RetentionDays "${RETENTION_DAYS:-}"
  optional VerifyEnabled "${VERIFY_ENABLED:-}"
)
mapfile -t dest_settings < <(
  optional RetentionDays "${RETENTION_DAYS:-}"
  optional VerifyEnabled "${VERIFY_ENABLED:-}"
  optional SourceRetentionDays "${RETENTION_DAYS:-}"
  optional KmsKeySource "${KMS_SOURCE:-}"
  optional KmsKeyDestination "${KMS_DEST:-}"
  optional CrossAccountCopy "${CROSS_ACCOUNT_COPY:-}"
)

upload "$SOURCE_PROFILE" "$BUCKET"
deploy "$SOURCE_PROFILE" "$SOURCE_STACK" "$ARTIFACTS/source.yaml" "$BUCKET" \
  CodeBucket="$BUCKET" DestinationAccount="$dest_account" "${source_settings[@]}"

upload "$DEST_PROFILE" "$BUCKET-dest"
deploy "$DEST_PROFILE" "$DEST_STACK" "$ARTIFACTS/dest.yaml" "$BUCKET-dest" \
  CodeBucket="$BUCKET-dest" DestinationRegion="$DR_REGION" "${dest_settings[@]}" \
  SourceAccounts="$source_account"

echo "Both stacks deployed. Check the setup with:"
echo "  ${SOURCE_PROFILE:+AWS_PROFILE=$SOURCE_PROFILE }node packages/cli-adapter/dist/cli.js doctor --region $REGION --dest-account $dest_account"
