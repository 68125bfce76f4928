package activities

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/terraform"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// ManagerFiles names the image by digest and no tag, serves HTTPS with
// the Secrets the bootstrap creates, and puts no Secret into Git.
func TestManagerFiles(t *testing.T) {
	files, err := ManagerFiles(ManagerFilesInput{Region: "fsn1", Repository: "gitea.fsn1.acme.example:3000/acme/openova", Digest: testDigest})
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "clusters/fsn1/manager.yaml", files[0].Path)

	var objs []*unstructured.Unstructured
	dec := yaml.NewYAMLOrJSONDecoder(strings.NewReader(string(files[0].Content)), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			break
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	kinds := map[string]int{}
	var image string
	var pull []any
	for _, o := range objs {
		kinds[o.GetKind()]++
		if o.GetKind() == "Deployment" {
			cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			image = cs[0].(map[string]any)["image"].(string)
			pull, _, _ = unstructured.NestedSlice(o.Object, "spec", "template", "spec", "imagePullSecrets")
		}
	}
	require.Equal(t, []any{map[string]any{"name": ManagerPullSecret}}, pull, "the node pulls with the Secret ApplyManagerSecrets makes")
	require.Equal(t, "gitea.fsn1.acme.example:3000/acme/openova@"+testDigest, image, "by digest, never a tag")
	require.Equal(t, 1, kinds["Deployment"])
	require.Equal(t, 2, kinds["CustomResourceDefinition"])
	require.Zero(t, kinds["Secret"], "no Secret goes into Git")
	require.NotContains(t, string(files[0].Content), "v0.1.0", "the overlay's tag is replaced")
}

func TestManagerFilesRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		in   ManagerFilesInput
		msg  string
	}{
		{"no region", ManagerFilesInput{Repository: "r.example/acme/openova", Digest: testDigest}, "the region is required"},
		{"no registry", ManagerFilesInput{Region: "fsn1", Repository: "openova", Digest: testDigest}, "is not <registry>/<path>"},
		{"a tag", ManagerFilesInput{Region: "fsn1", Repository: "r.example:3000/acme/openova:v1", Digest: testDigest}, "carries a tag or digest"},
		{"a digest in the repository", ManagerFilesInput{Region: "fsn1", Repository: "r.example/acme/openova@" + testDigest, Digest: testDigest}, "carries a tag or digest"},
		{"short digest", ManagerFilesInput{Region: "fsn1", Repository: "r.example/acme/openova", Digest: "sha256:abc"}, "is not sha256:<64 hex digits>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ManagerFiles(tc.in)
			require.Equal(t, ErrInvalidSubstrate, errType(err), "%v", err)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

// The load balancer's manager service (the contract module's
// local.manager) forwards manager_port, 443 by default, to the NodePort
// the rendered Service asks for, and bootstrap.ManagerPort is that
// default: three places, one port pair.
func TestManagerPortsAgreeWithTheModule(t *testing.T) {
	fsys, err := terraform.Module(terraform.Hetzner)
	require.NoError(t, err)
	k3s, err := fs.ReadFile(fsys, "k3s.tf")
	require.NoError(t, err)
	m := regexp.MustCompile(`manager = \{ port = var\.manager_port, node_port = (\d+) \}`).FindStringSubmatch(string(k3s))
	require.Len(t, m, 2, "the contract's local.manager")
	vars, err := fs.ReadFile(fsys, "variables.tf")
	require.NoError(t, err)
	d := regexp.MustCompile(`variable "manager_port" \{[^}]*default\s+= (\d+)`).FindStringSubmatch(string(vars))
	require.Len(t, d, 2, "manager_port's default")
	require.Equal(t, strconv.Itoa(bootstrap.ManagerPort), d[1])

	files, err := ManagerFiles(ManagerFilesInput{Region: "fsn1", Repository: "r.example/acme/openova", Digest: testDigest})
	require.NoError(t, err)
	require.Contains(t, string(files[0].Content), "nodePort: "+m[1], "the Service's NodePort is the module's")
	require.Contains(t, string(files[0].Content), "port: "+d[1])
}
