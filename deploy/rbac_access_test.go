package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	authzv1 "k8s.io/api/authorization/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/dev/testenv"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// marker is one +kubebuilder:rbac marker of controllers/rbac.go: what the
// code says the manager calls.
type marker struct {
	group, namespace string
	resources, verbs []string
	names            []string
}

var markerRE = regexp.MustCompile(`(?m)^// \+kubebuilder:rbac:(.*)$`)

// markers reads the code's RBAC markers, the source of the generated Role.
func markers(t *testing.T) []marker {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "controllers", "rbac.go"))
	require.NoError(t, err)
	var out []marker
	for _, m := range markerRE.FindAllStringSubmatch(string(b), -1) {
		var mk marker
		for _, kv := range strings.Split(m[1], ",") {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "marker field %q", kv)
			list := strings.Split(v, ";")
			switch k {
			case "groups":
				mk.group = strings.Trim(v, `"`)
			case "resources":
				mk.resources = list
			case "verbs":
				mk.verbs = list
			case "resourceNames":
				mk.names = list
			case "namespace":
				mk.namespace = v
			default:
				require.Failf(t, "unknown marker field", "%s in %s", k, m[1])
			}
		}
		out = append(out, mk)
	}
	require.NotEmpty(t, out)
	return out
}

// access is one SubjectAccessReview question.
type access struct {
	group, resource, sub, verb, namespace, name string
}

// asManager asks the API server, with a SubjectAccessReview, whether the
// manager's ServiceAccount in namespace ns may do what a access says.
func asManager(t *testing.T, c client.Client, ns string) func(access) bool {
	user := "system:serviceaccount:" + ns + ":openova-manager"
	return func(a access) bool {
		t.Helper()
		sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
			User:   user,
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
			ResourceAttributes: &authzv1.ResourceAttributes{Group: a.group, Resource: a.resource, Subresource: a.sub,
				Verb: a.verb, Namespace: a.namespace, Name: a.name},
		}}
		require.NoError(t, c.Create(context.Background(), sar))
		return sar.Status.Allowed
	}
}

func (a access) String() string {
	r := a.resource
	if a.sub != "" {
		r += "/" + a.sub
	}
	return a.verb + " " + a.group + "/" + r + " " + a.name + " in " + a.namespace
}

// The RBAC of the prod build, applied to a real API server (its Role and
// RoleBinding moved into the test's namespace), asked with a
// SubjectAccessReview for every verb on every resource the code's markers
// name: each is allowed in the manager's namespace and refused in another
// namespace and cluster-wide. What the manager must never do is refused
// too: list, watch or write Secrets, create, update or delete Platforms,
// touch RBAC, exec into pods, read any other Lease.
func TestManagerRBACAllowsWhatTheCodeCallsAndNothingElse(t *testing.T) {
	env := kubeenv.Shared(t)
	ns := env.Namespace
	c := newClient(t, env.Config)
	ctx := context.Background()
	for _, o := range build(t, "overlays/prod") {
		if o.GetKind() != "Role" && o.GetKind() != "RoleBinding" {
			continue
		}
		o.SetNamespace(ns)
		if subjects, ok := o.Object["subjects"].([]any); ok {
			for _, s := range subjects {
				s.(map[string]any)["namespace"] = ns
			}
		}
		require.NoError(t, apply(ctx, c, o), "%s %s", o.GetKind(), o.GetName())
	}
	other := kubeenv.Shared(t).Namespace
	allowed := asManager(t, c, ns)

	var uses []access
	for _, m := range markers(t) {
		require.Equal(t, "openova-system", m.namespace, "every rule is namespaced: %+v", m)
		names := m.names
		if len(names) == 0 {
			names = []string{""}
		}
		for _, r := range m.resources {
			res, sub, _ := strings.Cut(r, "/")
			for _, v := range m.verbs {
				for _, n := range names {
					uses = append(uses, access{group: m.group, resource: res, sub: sub, verb: v, name: n})
				}
			}
		}
	}
	require.GreaterOrEqual(t, len(uses), 20)
	for _, a := range uses {
		t.Run(a.verb+" "+a.resource+a.sub, func(t *testing.T) {
			here, there, everywhere := a, a, a
			here.namespace, there.namespace = ns, other
			require.True(t, allowed(here), "%s: the code calls it, the Role must allow it", here)
			require.False(t, allowed(there), "%s: only the manager's namespace", there)
			require.False(t, allowed(everywhere), "%s: nothing cluster-wide", everywhere)
		})
	}

	never := []access{
		{resource: "secrets", verb: "list"}, {resource: "secrets", verb: "watch"}, {resource: "secrets", verb: "create"},
		{resource: "secrets", verb: "update"}, {resource: "secrets", verb: "patch"}, {resource: "secrets", verb: "delete"},
		{resource: "secrets", verb: "get", namespace: other, name: "git"},
		{group: "openova.io", resource: "platforms", verb: "create"}, {group: "openova.io", resource: "platforms", verb: "update"},
		{group: "openova.io", resource: "platforms", verb: "delete"}, {group: "openova.io", resource: "components", verb: "update"},
		{group: "coordination.k8s.io", resource: "leases", verb: "update", name: "someone-elses"},
		{group: "coordination.k8s.io", resource: "leases", verb: "delete", name: "openova-manager.openova.io"},
		{group: "rbac.authorization.k8s.io", resource: "roles", verb: "create"},
		{group: "rbac.authorization.k8s.io", resource: "rolebindings", verb: "create"},
		{resource: "pods", sub: "exec", verb: "create"}, {resource: "pods", verb: "list"},
		{resource: "serviceaccounts", sub: "token", verb: "create"}, {resource: "configmaps", verb: "get"},
		{group: "apps", resource: "deployments", verb: "patch"},
		{group: "events.k8s.io", resource: "events", verb: "create"},
		{group: "apiextensions.k8s.io", resource: "customresourcedefinitions", verb: "list"},
	}
	for _, a := range never {
		if a.namespace == "" {
			a.namespace = ns
		}
		require.False(t, allowed(a), "%s: the manager never needs it", a)
	}
}
