package s3probe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
)

// S3OnLoopback (gofakes3, with conditional writes) stands in for the
// customer's S3-compatible storage; a wrapper plays a server that ignores
// conditional writes and one that refuses the keys' writes.
func TestCheck_S3OnLoopback(t *testing.T) {
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("acme-state"))
	fake := gofakes3.New(backend).Server()
	var mode string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case mode == "ignores conditions":
			r.Header.Del("If-None-Match")
		case mode == "denies writes" && r.Method == http.MethodPut:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	ok := Bucket{Endpoint: srv.URL, Region: "fsn1", Bucket: "acme-state", KeyPrefix: "openova/acme", AccessKey: "AK", SecretKey: "SK"}
	cases := []struct {
		name   string
		mode   string
		change func(*Bucket)
		field  string
		reason string
		secret bool
	}{
		{name: "a bucket that holds state"},
		{name: "no such bucket", change: func(b *Bucket) { b.Bucket = "acme-nope" }, field: FieldBucket, reason: `has no bucket "acme-nope": create it, or give one it has`},
		{name: "an endpoint that does not answer", change: func(b *Bucket) { b.Endpoint = closed.URL }, field: FieldEndpoint, reason: "could not be reached: "},
		{name: "a server that ignores conditional writes", mode: "ignores conditions", field: FieldEndpoint, reason: "ignored a conditional write (If-None-Match)"},
		{name: "keys that may not write", mode: "denies writes", field: FieldAccessKey, reason: `these keys may not write in bucket "acme-state"`, secret: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mode = tc.mode
			b := ok
			if tc.change != nil {
				tc.change(&b)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := Check(ctx, b, &http.Client{Timeout: 10 * time.Second})
			if tc.field == "" {
				require.NoError(t, err)
				list, err := backend.ListBucket("acme-state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
				require.NoError(t, err)
				require.Empty(t, list.Contents, "the probe object is gone")
				return
			}
			var p *Problem
			require.True(t, errors.As(err, &p), "%v", err)
			require.Equal(t, tc.field, p.Field)
			require.Contains(t, p.Reason, tc.reason)
			require.Equal(t, tc.secret, p.Secret)
			require.NotContains(t, p.Reason, "SK", "no secret in the message")
		})
	}
}
