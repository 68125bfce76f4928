package terraform

import (
	"context"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/dev/testenv"
)

// withS3Backend is the nodes module with an S3 backend block added.
func withS3Backend(t *testing.T) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	for _, f := range []string{"testdata/nodes/main.tf", "testdata/s3-backend/backend.tf"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m[filepath.Base(f)] = &fstest.MapFile{Data: b}
	}
	return m
}

// State in a real S3 implementation on loopback (gofakes3, which honours
// the conditional PutObject OpenTofu's use_lockfile locks with): apply
// writes the state object, and the lock object is gone once the run ends.
func TestStateInS3WithItsLockFile(t *testing.T) {
	be := s3mem.New()
	s3 := gofakes3.New(be)
	srv := httptest.NewServer(s3.Server())
	t.Cleanup(srv.Close)
	require.NoError(t, be.CreateBucket("state"))

	r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: withS3Backend(t), PluginCache: t.TempDir(),
		Vars:    map[string]any{"names": []string{"cp-1"}},
		Env:     map[string]string{"AWS_ACCESS_KEY_ID": "openova", "AWS_SECRET_ACCESS_KEY": "s3-secret-canary", "AWS_ENDPOINT_URL_S3": srv.URL},
		Secrets: []string{"s3-secret-canary"}}
	ctx := context.Background()
	require.NoError(t, r.Prepare(ctx))
	require.NoError(t, r.Init(ctx, S3Backend{Bucket: "state", Key: "acme/eu-central.tfstate", Region: "us-east-1"}.Config()))
	s, err := r.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, s.Add)
	require.NoError(t, r.Apply(ctx))

	list, err := be.ListBucket("state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	require.Contains(t, keys, "acme/eu-central.tfstate", "the state is in the bucket")
	for _, k := range keys {
		require.False(t, strings.HasSuffix(k, ".tflock"), "the lock is released: %v", keys)
	}

	// A run that holds the S3 lock (its apply sleeps) refuses a second
	// one with the lock's ID; a left-over run that does not end within
	// leftoverWait is stopped, which releases the lock.
	leftoverWait, stopGrace = time.Second, 5*time.Second
	t.Cleanup(func() { leftoverWait, stopGrace = 15*time.Minute, 30*time.Second })
	hold := *r
	hold.Dir = t.TempDir()
	hold.Vars = map[string]any{"names": []string{"cp-1"}, "hold": "60"}
	require.NoError(t, hold.Prepare(ctx))
	require.NoError(t, hold.Init(ctx, S3Backend{Bucket: "state", Key: "acme/eu-west.tfstate", Region: "us-east-1"}.Config()))
	_, err = hold.Plan(ctx)
	require.NoError(t, err)
	applied := make(chan error, 1)
	go func() { applied <- hold.Apply(context.Background()) }()
	locked := func() bool {
		list, err := be.ListBucket("state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
		if err != nil {
			return false
		}
		for _, o := range list.Contents {
			if strings.HasSuffix(o.Key, ".tflock") {
				return true
			}
		}
		return false
	}
	require.Eventually(t, func() bool {
		select {
		case err := <-applied:
			t.Fatalf("the apply ended early: %v", err)
		default:
		}
		return locked()
	}, 30*time.Second, 100*time.Millisecond, "the apply takes the S3 lock")
	second := hold
	second.Dir = t.TempDir()
	require.NoError(t, second.Prepare(ctx))
	require.NoError(t, second.Init(ctx, S3Backend{Bucket: "state", Key: "acme/eu-west.tfstate", Region: "us-east-1"}.Config()))
	_, err = second.Plan(ctx)
	var te *Error
	require.True(t, errors.As(err, &te), "%v", err)
	require.Equal(t, ErrLockHeld, te.Kind)
	require.NotEmpty(t, te.LockID)
	require.NotContains(t, te.Error(), "s3-secret-canary")
	require.NoError(t, StopLeftovers(ctx, hold.Dir), "a resume stops the run its killed openova left")
	<-applied
	require.Eventually(t, func() bool { return !locked() }, 10*time.Second, 100*time.Millisecond, "the stopped run released the S3 lock")
}

// A tofu killed outright (SIGKILL: no chance to unlock) leaves its S3 lock
// behind. The next run is refused with the lock's ID and a holder that is
// this machine (LockHolder), which is how a resume knows the lock is its
// own dead run's; ForceUnlock with that ID frees the state.
func TestOwnStaleS3LockIsReleased(t *testing.T) {
	be := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, be.CreateBucket("state"))
	ctx := context.Background()
	backend := S3Backend{Bucket: "state", Key: "acme/fsn1.tfstate", Region: "us-east-1"}.Config()
	newRunner := func(hold string) *Runner {
		r := &Runner{Bin: testenv.Bin(t, "tofu"), Dir: t.TempDir(), Module: withS3Backend(t), PluginCache: t.TempDir(),
			Vars: map[string]any{"names": []string{"cp-1"}, "hold": hold},
			Env:  map[string]string{"AWS_ACCESS_KEY_ID": "openova", "AWS_SECRET_ACCESS_KEY": "s3-secret", "AWS_ENDPOINT_URL_S3": srv.URL}}
		require.NoError(t, r.Prepare(ctx))
		require.NoError(t, r.Init(ctx, backend))
		return r
	}
	dead := newRunner("60")
	_, err := dead.Plan(ctx)
	require.NoError(t, err)
	applied := make(chan error, 1)
	go func() { applied <- dead.Apply(context.Background()) }()
	require.Eventually(t, func() bool {
		list, _ := be.ListBucket("state", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
		for _, o := range list.Contents {
			if strings.HasSuffix(o.Key, ".tflock") {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "the apply holds the lock")
	pids, err := Leftovers(dead.Dir)
	require.NoError(t, err)
	for _, pid := range pids {
		require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	}
	<-applied

	resume := newRunner("0")
	_, err = resume.Plan(ctx)
	var te *Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, ErrLockHeld, te.Kind)
	require.NotEmpty(t, te.LockID)
	require.Equal(t, LockHolder(), te.LockWho, "the lock names this machine as its holder")
	require.NoError(t, resume.ForceUnlock(ctx, te.LockID))
	_, err = resume.Plan(ctx)
	require.NoError(t, err, "the state is free again")
}
