// Package s3probe checks, on the wizard's state step, that the
// S3-compatible bucket it was given can hold OpenTofu's state, before any
// plan: the endpoint answers, the keys are known and may list, write and
// delete in the bucket, and the server honours the conditional write that
// OpenTofu's S3-native state lock relies on (If-None-Match on PutObject).
// It writes and deletes one probe object under the state's key prefix.
package s3probe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/openova-io/core/cloud"
)

// Bucket is the state step's answer.
type Bucket struct {
	Endpoint, Region, Bucket, KeyPrefix string
	AccessKey, SecretKey                string
}

// Fields of the state step a Problem names.
const (
	FieldEndpoint  = "state.endpoint"
	FieldBucket    = "state.bucket"
	FieldAccessKey = "state.access_key"
	FieldSecretKey = "state.secret_key"
)

// Problem is what is wrong, beside the field it is about. Secret says the
// keys were refused: the wizard drops them rather than keep them.
type Problem struct {
	Field, Reason string
	Secret        bool
}

func (p *Problem) Error() string { return p.Field + ": " + p.Reason }

// Check lists the bucket, writes a probe object under the key prefix with
// a conditional write, writes it again with the same condition (which must
// be refused: else the state lock would not hold), and deletes it. hc is
// the HTTP client the keys may be sent with (openova's fetch policy).
func Check(ctx context.Context, b Bucket, hc *http.Client) error {
	opts := s3.Options{
		Region: b.Region, UsePathStyle: true, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(b.AccessKey, b.SecretKey, ""),
		// S3-compatible servers need not know the newer checksums, as
		// the state backend's skip_s3_checksum says.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	}
	if b.Endpoint != "" { // else AWS S3's own
		opts.BaseEndpoint = aws.String(b.Endpoint)
	}
	c := s3.New(opts)
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b.Bucket, Prefix: aws.String(b.KeyPrefix), MaxKeys: aws.Int32(1)}); err != nil {
		return problem(b, "list", err)
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	key := strings.TrimSuffix(b.KeyPrefix, "/") + "/.openova-probe-" + hex.EncodeToString(id)
	key = strings.TrimPrefix(key, "/")
	put := func() error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.Bucket, Key: &key, Body: strings.NewReader("openova checks this bucket"), IfNoneMatch: aws.String("*")})
		return err
	}
	if err := put(); err != nil {
		return problem(b, "write", err)
	}
	err := put()
	if _, derr := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.Bucket, Key: &key}); derr != nil {
		return problem(b, "delete", derr)
	}
	var ae smithy.APIError
	switch {
	case err == nil:
		return &Problem{Field: FieldEndpoint, Reason: "this S3 server ignored a conditional write (If-None-Match), which OpenTofu's state lock needs: use a server that supports conditional writes"}
	case errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed":
		return nil
	}
	return problem(b, "write", err)
}

// problem words an S3 error as the state step shows it.
func problem(b Bucket, what string, err error) error {
	if b.Endpoint == "" {
		b.Endpoint = "AWS S3"
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return &Problem{Field: FieldEndpoint, Reason: fmt.Sprintf("%s could not be reached: %s; check the endpoint and this machine's connection to it", b.Endpoint, cloud.Unreachable(err))}
	}
	switch ae.ErrorCode() {
	case "NoSuchBucket":
		return &Problem{Field: FieldBucket, Reason: fmt.Sprintf("%s has no bucket %q: create it, or give one it has", b.Endpoint, b.Bucket)}
	case "InvalidAccessKeyId":
		return &Problem{Field: FieldAccessKey, Secret: true, Reason: "the endpoint does not know this access key: type the bucket's keys again"}
	case "SignatureDoesNotMatch":
		return &Problem{Field: FieldSecretKey, Secret: true, Reason: "the secret key does not belong to this access key: type the bucket's keys again"}
	case "AccessDenied", "Forbidden":
		return &Problem{Field: FieldAccessKey, Secret: true, Reason: fmt.Sprintf("these keys may not %s in bucket %q: give keys that may list, write and delete in it", what, b.Bucket)}
	}
	return &Problem{Field: FieldEndpoint, Reason: fmt.Sprintf("the endpoint refused to %s in bucket %q: %s (%s)", what, b.Bucket, ae.ErrorMessage(), ae.ErrorCode())}
}
