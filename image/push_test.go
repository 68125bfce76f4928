package image

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

// recorder counts the requests that reach the registry by method and
// path kind, to see that nothing is ever tagged.
type recorder struct {
	next      http.Handler
	manifests []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/manifests/") {
		r.manifests = append(r.manifests, req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:])
	}
	r.next.ServeHTTP(w, req)
}

// Push puts the image into a registry by digest: pulled back by that
// digest it is the same image, with the entrypoint, user and platform,
// and its layer holds the exact binary. A second push (a resumed one) is
// harmless.
func TestPushByDigest(t *testing.T) {
	img, bin := buildFake(t, "arm64")
	rec := &recorder{next: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()

	d, err := Push(ctx, img, host+"/openova/manager", authn.Anonymous, srv.Client().Transport)
	require.NoError(t, err)
	require.Equal(t, digest(t, img), d)
	require.Equal(t, []string{d.String()}, rec.manifests, "the manifest is put by digest, never by a tag")

	ref, err := name.NewDigest(host + "/openova/manager@" + d.String())
	require.NoError(t, err)
	pulled, err := remote.Image(ref, remote.WithContext(ctx))
	require.NoError(t, err)
	require.Equal(t, d, digest(t, pulled))
	require.NoError(t, validate.Image(pulled))
	mt, err := pulled.MediaType()
	require.NoError(t, err)
	require.Equal(t, types.OCIManifestSchema1, mt)
	cf, err := pulled.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, []string{"/openova"}, cf.Config.Entrypoint)
	require.Equal(t, "65532:65532", cf.Config.User)
	require.Equal(t, "linux/arm64", cf.Platform().String())
	_, files := layerFiles(t, pulled)
	require.Equal(t, bin, files["openova"], "the binary, byte for byte")

	again, err := Push(ctx, img, host+"/openova/manager", nil, nil)
	require.NoError(t, err, "a push again, with the defaults")
	require.Equal(t, d, again)
}

func TestPushRefusesBadReferences(t *testing.T) {
	img, _ := buildFake(t, "amd64")
	cases := []struct{ ref, want string }{
		{"registry.example.com/openova/manager:v1", "without a tag or digest"},
		{"registry.example.com/openova/manager@sha256:" + strings.Repeat("0", 64), "without a tag or digest"},
		{"manager", "name the registry and the repository"},
		{"openova/manager", "registry to be explicitly defined"},
		{"registry.example.com/Openova/Manager", "in lower case"},
		{"", "name the registry and the repository"},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			_, err := Push(context.Background(), img, tc.ref, nil, nil)
			t.Log(err)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := Push(context.Background(), nil, "registry.example.com/openova/manager", nil, nil)
	require.ErrorContains(t, err, "no image to push")
}

type stub struct{ called bool }

func (s *stub) RoundTrip(*http.Request) (*http.Response, error) {
	s.called = true
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// Plain http leaves the machine for no registry: go-containerregistry's
// fallback for private addresses would send the token in clear.
func TestPushSpeaksHTTPSOffLoopback(t *testing.T) {
	cases := []struct {
		url  string
		sent bool
	}{
		{"http://10.0.0.5:3000/v2/", false},
		{"http://192.168.1.20/v2/", false},
		{"http://gitea.example.com/v2/", false},
		{"https://10.0.0.5:3000/v2/", true},
		{"http://127.0.0.1:5000/v2/", true},
		{"http://[::1]:5000/v2/", true},
		{"http://localhost:5000/v2/", true},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			s := &stub{}
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			require.NoError(t, err)
			resp, err := httpsOnly{s}.RoundTrip(req)
			require.Equal(t, tc.sent, s.called)
			if tc.sent {
				require.NoError(t, err)
				_ = resp.Body.Close()
				return
			}
			require.ErrorContains(t, err, "refused plain http")
			require.ErrorContains(t, err, "must serve https")
		})
	}
}
