package terraform

import "strconv"

// S3Backend is state in the customer's S3-compatible bucket, locked with
// OpenTofu's S3-native lock file (a conditional PutObject of
// <key>.tflock). The endpoint and the credentials go in the environment
// (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), so they
// are in no file.
type S3Backend struct {
	Bucket string
	Key    string
	Region string
}

// Config is the backend configuration init takes.
func (b S3Backend) Config() map[string]string {
	return map[string]string{
		"bucket": b.Bucket, "key": b.Key, "region": b.Region,
		"use_lockfile": strconv.FormatBool(true), "use_path_style": "true",
		// An S3-compatible server is not AWS: no account, region or
		// checksum checks.
		"skip_credentials_validation": "true", "skip_region_validation": "true",
		"skip_requesting_account_id": "true", "skip_metadata_api_check": "true", "skip_s3_checksum": "true",
	}
}
