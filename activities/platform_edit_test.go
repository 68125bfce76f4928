package activities

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/crds/v1alpha1"
)

// handedOver is the Platform file a bootstrap commits, with an entry that
// carries values (a field the UI does not manage) and a second document.
func handedOver(t *testing.T) []byte {
	t.Helper()
	files, err := PlatformFiles(PlatformFilesInput{Region: "fsn1", Organization: "acme", Domain: "acme.io",
		Regions:    []bootstrap.Region{{Name: "fsn1", Role: "primary"}},
		Components: []bootstrap.SelectedComponent{{Name: "cilium", Version: "1.16.5"}, {Name: "grafana", Version: "11.3.0"}},
		RepoURL:    "https://203.0.113.10:3000/acme/platform.git"})
	require.NoError(t, err)
	out := bytes.Replace(files[0].Content, []byte("    version: 11.3.0\n"), []byte("    values:\n      adminUser: ops\n    version: 11.3.0\n"), 1)
	require.NotEqual(t, files[0].Content, out, "the values were added")
	return append(out, []byte("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n")...)
}

// platformIn reads the Platform named acme back out of the file, and
// counts the documents.
func platformIn(t *testing.T, file []byte) (v1alpha1.Platform, int) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(file))
	var p v1alpha1.Platform
	docs := 0
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		docs++
		if doc["kind"] == "Platform" {
			js, err := sigsyaml.Marshal(doc)
			require.NoError(t, err)
			require.NoError(t, sigsyaml.Unmarshal(js, &p))
		}
	}
	return p, docs
}

// A UI change to a Platform Flux applies from Git is an edit of its file:
// the component's entry gets the fields the UI manages, the others (values)
// and the other documents stay, the user is recorded as Direct mode's
// apply records them, and an edit Git already has changes nothing.
func TestSetComponentEntryEditsThePlatformFile(t *testing.T) {
	no := false
	at := metav1.NewTime(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	for _, tc := range []struct {
		name  string
		entry v1alpha1.ComponentRef
		want  v1alpha1.ComponentRef
	}{
		{"install a new one", v1alpha1.ComponentRef{Name: "mongodb", Version: "8.0.3", Optional: []string{"debezium"}},
			v1alpha1.ComponentRef{Name: "mongodb", Version: "8.0.3", Optional: []string{"debezium"}}},
		{"upgrade, keeping the values", v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0"},
			v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0", Values: jsonOf(t, `{"adminUser":"ops"}`)}},
		{"uninstall", v1alpha1.ComponentRef{Name: "grafana", Version: "11.3.0", Enabled: &no},
			v1alpha1.ComponentRef{Name: "grafana", Version: "11.3.0", Enabled: &no, Values: jsonOf(t, `{"adminUser":"ops"}`)}},
		{"hold an upgrade for a window", v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0", UpgradeAt: &at, ConfirmForwardOnly: true},
			v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0", UpgradeAt: &at, ConfirmForwardOnly: true, Values: jsonOf(t, `{"adminUser":"ops"}`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := SetComponentEntry(handedOver(t), "acme", tc.entry, "ops@acme.io")
			require.NoError(t, err)
			require.True(t, changed)
			p, docs := platformIn(t, out)
			require.Equal(t, 2, docs, "the other document stays")
			var got *v1alpha1.ComponentRef
			for i := range p.Spec.Components {
				if p.Spec.Components[i].Name == tc.entry.Name {
					got = &p.Spec.Components[i]
				}
			}
			require.NotNil(t, got)
			if got.UpgradeAt != nil {
				got.UpgradeAt = &metav1.Time{Time: got.UpgradeAt.UTC()} // parsed in the local zone
			}
			require.Equal(t, tc.want, *got)
			require.Equal(t, "ops@acme.io", p.Annotations[v1alpha1.AnnotationActorPrefix+tc.entry.Name])
			require.Equal(t, "clusters/fsn1/platform.yaml", p.Annotations[v1alpha1.AnnotationGitFile])
			_, err = v1alpha1.ParseSubstrate(p.Annotations[v1alpha1.AnnotationSubstrate])
			require.NoError(t, err, "the substrate annotation survives the rewrite")
			require.Equal(t, v1alpha1.DeliveryGitOps, p.Spec.Delivery)

			again, changed, err := SetComponentEntry(out, "acme", tc.entry, "ops@acme.io")
			require.NoError(t, err)
			require.False(t, changed, "an edit Git has already changes nothing")
			require.Equal(t, out, again)
		})
	}
	// Clearing a field the UI set removes it.
	held, _, err := SetComponentEntry(handedOver(t), "acme", v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0", UpgradeAt: &at}, "ops")
	require.NoError(t, err)
	cleared, changed, err := SetComponentEntry(held, "acme", v1alpha1.ComponentRef{Name: "grafana", Version: "11.4.0"}, "ops")
	require.NoError(t, err)
	require.True(t, changed)
	p, _ := platformIn(t, cleared)
	require.Nil(t, p.Spec.Components[1].UpgradeAt)

	for _, bad := range []struct{ name, file, platform, want string }{
		{"another platform", string(handedOver(t)), "globex", "no Platform named globex"},
		{"not YAML", "kind: Platform\n  metadata: [", "acme", "not YAML"},
		{"components not a list", "kind: Platform\nmetadata:\n  name: acme\nspec:\n  components: all\n", "acme", "spec.components of platform acme is not a list"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, _, err := SetComponentEntry([]byte(bad.file), bad.platform, v1alpha1.ComponentRef{Name: "mongodb"}, "ops")
			require.ErrorContains(t, err, bad.want)
		})
	}
}

func jsonOf(t *testing.T, s string) *apiextensionsv1.JSON {
	t.Helper()
	require.True(t, json.Valid([]byte(s)))
	return &apiextensionsv1.JSON{Raw: []byte(s)}
}

// EditPlatform against a real Git server: the handed-over file gets the
// entry in one commit whose author is the signed-in user (openova is the
// committer); the same edit again, or from a fresh clone, adds none; a
// file that is not there is a clear, non-retryable error.
func TestEditPlatformCommitsAsTheUser(t *testing.T) {
	repoURL := gitServer(t, "", "")
	g := &Git{Fetch: devFetch, Dir: t.TempDir()}
	const file = "clusters/fsn1/platform.yaml"
	_, err := run[CommitManifestResult](t, g, g.CommitManifest, CommitManifestInput{RepoURL: repoURL, Branch: "main", Path: file, Content: handedOver(t)})
	require.NoError(t, err)
	in := EditPlatformInput{Git: GitTarget{URL: repoURL, Branch: "main"}, File: file, Platform: "acme",
		Entry: v1alpha1.ComponentRef{Name: "mongodb", Version: "8.0.3"}, Actor: "ops@acme.io", Message: "openova: install mongodb 8.0.3 on acme"}

	first, err := run[EditPlatformResult](t, g, g.EditPlatform, in)
	require.NoError(t, err)
	require.True(t, first.Changed)
	commits, files := history(t, repoURL, nil)
	require.Len(t, commits, 2)
	require.Equal(t, first.Commit, commits[0])
	p, _ := platformIn(t, []byte(files[file]))
	require.Equal(t, v1alpha1.ComponentRef{Name: "mongodb", Version: "8.0.3"}, p.Spec.Components[len(p.Spec.Components)-1])

	repo, err := gogit.PlainClone(t.TempDir(), false, &gogit.CloneOptions{URL: repoURL})
	require.NoError(t, err)
	c, err := repo.CommitObject(plumbing.NewHash(first.Commit))
	require.NoError(t, err)
	require.Equal(t, "ops@acme.io", c.Author.Name)
	require.Equal(t, "ops@acme.io", c.Author.Email)
	require.Equal(t, "OpenOva", c.Committer.Name)
	require.Equal(t, in.Message, c.Message)

	for _, g := range []*Git{g, {Fetch: devFetch, Dir: t.TempDir()}} {
		again, err := run[EditPlatformResult](t, g, g.EditPlatform, in)
		require.NoError(t, err)
		require.Equal(t, EditPlatformResult{Commit: first.Commit}, again, "the same edit adds no commit")
	}

	// A Settings page edit is a commit of the same file, by its user.
	window := &v1alpha1.MaintenanceWindow{Days: []string{"Sunday"}, Start: "03:00", TimeZone: "UTC"}
	set := EditPlatformInput{Git: in.Git, File: file, Platform: "acme", Settings: &PlatformSettings{Window: window},
		Actor: "ops@acme.io", Message: "openova: change the settings on platform acme"}
	settings, err := run[EditPlatformResult](t, g, g.EditPlatform, set)
	require.NoError(t, err)
	require.True(t, settings.Changed)
	commits, files = history(t, repoURL, nil)
	require.Equal(t, []string{settings.Commit, first.Commit}, commits[:2])
	p, _ = platformIn(t, []byte(files[file]))
	require.Equal(t, window, p.Spec.MaintenanceWindow)
	require.Equal(t, "8.0.3", p.Spec.Components[len(p.Spec.Components)-1].Version, "the entry stays")

	in.File = "clusters/hel1/platform.yaml"
	_, err = run[EditPlatformResult](t, g, g.EditPlatform, in)
	requireAppError(t, err, ErrPlatformFile, true)
	require.ErrorContains(t, err, "the platform repository has no clusters/hel1/platform.yaml")
	in.File = "../platform.yaml"
	_, err = run[EditPlatformResult](t, g, g.EditPlatform, in)
	requireAppError(t, err, ErrPlatformFile, true)
}
