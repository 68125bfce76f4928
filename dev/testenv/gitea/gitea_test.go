package gitea

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStart: two servers start side by side; each says the pinned version
// (the -ldflags of dev/dev.sh), renders a page from the module folder's
// templates, knows its admin (and refuses a wrong password), and is gone
// after Stop.
func TestStart(t *testing.T) {
	insts := Start(t, "fsn1", "nbg1")
	require.NotEqual(t, insts[0].URL, insts[1].URL)
	for _, inst := range insts {
		t.Logf("gitea %s ready in %s", inst.Name, inst.Started)

		var v struct{ Version string }
		getJSON(t, inst.URL+"/api/v1/version", "", "", http.StatusOK, &v)
		require.Equal(t, "1.26.0", v.Version)

		resp, err := http.Get(inst.URL + "/explore/repos")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "a page rendered from STATIC_ROOT_PATH's templates")
		require.Contains(t, string(body), "<html")

		var me struct {
			Login   string
			IsAdmin bool `json:"is_admin"`
		}
		getJSON(t, inst.URL+"/api/v1/user", inst.Username, inst.Password.Reveal(), http.StatusOK, &me)
		require.Equal(t, inst.Username, me.Login)
		require.True(t, me.IsAdmin)
		getJSON(t, inst.URL+"/api/v1/user", inst.Username, "wrong-password", http.StatusUnauthorized, nil)
	}

	require.NoError(t, insts[0].Stop())
	_, err := http.Get(insts[0].URL + "/api/v1/version")
	require.Error(t, err, "nothing answers after Stop")
	require.NoError(t, insts[0].Stop(), "a second Stop is a no-op")
	require.False(t, strings.Contains(insts[1].Log(), insts[1].Password.Reveal()), "the admin's password is in no log line")
}

func getJSON(t *testing.T, url, user, password string, status int, into any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, status, resp.StatusCode, url)
	if into != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
	}
}

// TestShared: the shared servers start once; a second call gets the same
// ones, answering.
func TestShared(t *testing.T) {
	first := Shared(t, "a", "b")
	second := Shared(t, "a", "b")
	require.Len(t, first, 2)
	for i := range first {
		require.Same(t, first[i], second[i])
		getJSON(t, first[i].URL+"/api/v1/user", first[i].Username, first[i].Password.Reveal(), http.StatusOK, nil)
	}
}

// TestStart_ServerExits: a server that exits at once (here a binary that
// is not Gitea) fails the start at once, with its log, instead of waiting
// out the two minutes; its folder is removed.
func TestStart_ServerExits(t *testing.T) {
	insts, err := start("/bin/false", t.TempDir(), []string{"broken"}, nil)
	require.ErrorContains(t, err, "gitea broken exited before answering")
	require.Len(t, insts, 1)
	require.NoError(t, insts[0].remove())
	require.NoDirExists(t, insts[0].Dir)
}
