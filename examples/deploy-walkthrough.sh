#!/usr/bin/env bash
# Deploys both stacks with the AWS CLI, from a clean clone. Read it before running it: it creates
# an S3 bucket, two CloudFormation stacks and IAM roles in the two accounts you name.
#
#   SOURCE_PROFILE=prod DEST_PROFILE=backup REGION=us-east-1 DR_REGION=us-west-2 \
#   BUCKET=my-snapshot-tool-code ./examples/deploy-walkthrough.sh
#
# Encrypted clusters: the source key must let the destination account use it (see README,
# "KMS keys for an encrypted fleet"); pass the destination's keys as KMS_SOURCE / KMS_DEST.
set -euo pipefail

: "${SOURCE_PROFILE:?name the AWS CLI profile of the account that runs the clusters}"
: "${DEST_PROFILE:?name the AWS CLI profile of the account that keeps the copies}"
: "${REGION:?the region the clusters live in}"
: "${DR_REGION:?the region the copies are kept in}"
: "${BUCKET:?a bucket name for the function code (created in each account if missing)}"
KMS_SOURCE="${KMS_SOURCE:-None}"
KMS_DEST="${KMS_DEST:-None}"
RETENTION_DAYS="${RETENTION_DAYS:-7}"

cd "$(dirname "$0")/.."
pnpm install --frozen-lockfile
pnpm build
pnpm package # writes packages/lambda-adapter/artifacts/*.zip and the templates

dest_account=$(aws sts get-caller-identity --profile "$DEST_PROFILE" --query Account --output text)

upload() { # profile bucket
  aws s3api head-bucket --bucket "$2" --profile "$1" 2>/dev/null ||
    aws s3 mb "s3://$2" --region "$REGION" --profile "$1"
  aws s3 cp packages/lambda-adapter/artifacts/ "s3://$2/" --recursive --exclude "*" --include "*.zip" --profile "$1"
}

upload "$SOURCE_PROFILE" "$BUCKET"
aws cloudformation deploy --profile "$SOURCE_PROFILE" --region "$REGION" \
  --stack-name snapshot-tool-aurora-source \
  --template-file packages/lambda-adapter/artifacts/templates/source.yaml \
  --capabilities CAPABILITY_IAM \
  --parameter-overrides CodeBucket="$BUCKET" DestinationAccount="$dest_account" \
  RetentionDays="$RETENTION_DAYS" ShareSnapshots=TRUE DeleteOldSnapshots=TRUE

upload "$DEST_PROFILE" "$BUCKET-dest"
aws cloudformation deploy --profile "$DEST_PROFILE" --region "$REGION" \
  --stack-name snapshot-tool-aurora-dest \
  --template-file packages/lambda-adapter/artifacts/templates/dest.yaml \
  --capabilities CAPABILITY_IAM \
  --parameter-overrides CodeBucket="$BUCKET-dest" DestinationRegion="$DR_REGION" \
  RetentionDays="$RETENTION_DAYS" KmsKeySource="$KMS_SOURCE" KmsKeyDestination="$KMS_DEST" CrossAccountCopy=TRUE

echo "Both stacks deployed. Check the setup with:"
echo "  AWS_PROFILE=$SOURCE_PROFILE node packages/cli-adapter/dist/cli.js doctor --region $REGION --dest-account $dest_account"
