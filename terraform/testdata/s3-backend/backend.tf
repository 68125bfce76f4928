# State in an S3-compatible bucket, locked with OpenTofu's S3-native lock
# file (use_lockfile); the rest of the configuration comes at init.
terraform {
  backend "s3" {}
}
