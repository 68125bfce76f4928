package deploy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/dev/testenv/kubeenv"
)

// backupUse is one backup of the seed catalog as the manager takes it
// (activities.RunBackup): the object, created and then read by its name,
// and, for a Job with a volume, the claim created first. It runs in the
// namespace the catalog names, else in the platform's.
type backupUse struct {
	release   string // component version
	namespace string
	object    schema.GroupVersionResource
	name      string
	claim     bool
}

// backupUses lists every backup of catalog.Default().
func backupUses(t *testing.T) []backupUse {
	t.Helper()
	var out []backupUse
	cat := catalog.Default()
	for _, n := range cat.Names() {
		comp, _ := cat.Get(n)
		for _, v := range comp.Versions {
			b := v.Backup
			if b == nil {
				continue
			}
			gv, err := schema.ParseGroupVersion(b.APIVersion)
			require.NoError(t, err, "%s %s", n, v.Version)
			gvr, _ := meta.UnsafeGuessKindToResource(gv.WithKind(b.Kind))
			ns := b.Namespace
			if ns == "" {
				ns = activities.ManagerNamespace // the platform's, where the manager works
			}
			out = append(out, backupUse{release: n + " " + v.Version, namespace: ns, object: gvr,
				name: activities.BackupName(n, v.Version), claim: b.Volume != nil})
		}
	}
	return out
}

// The bootstrap's manager may take every backup the seed catalog declares,
// where the catalog says it runs: Gitea's next to its data in namespace
// gitea (deploy/overlays/bootstrap/adopted.yaml), the others in the
// platform's namespace (controllers/rbac.go). The overlay's Roles and
// RoleBindings are applied to a real API server, each of its namespaces
// replaced by a fresh one, and asked with SubjectAccessReviews: create and
// get of the backup by its name, and create of its claim, are allowed
// there, and refused in a namespace the overlay does not name and
// cluster-wide. In a substrate namespace nothing else is allowed on those
// resources (no list, watch, change or delete), nor on pods or Secrets.
func TestManagerMayBackUpWhereTheCatalogSays(t *testing.T) {
	env := kubeenv.Shared(t)
	c := newClient(t, env.Config)
	ctx := context.Background()
	fresh := map[string]string{activities.ManagerNamespace: env.Namespace} // overlay's namespace -> the test's
	for _, o := range build(t, "overlays/bootstrap") {
		if o.GetKind() != "Role" && o.GetKind() != "RoleBinding" {
			continue
		}
		if _, ok := fresh[o.GetNamespace()]; !ok {
			fresh[o.GetNamespace()] = kubeenv.Shared(t).Namespace
		}
		o.SetNamespace(fresh[o.GetNamespace()])
		if subjects, ok := o.Object["subjects"].([]any); ok {
			for _, s := range subjects {
				s.(map[string]any)["namespace"] = env.Namespace
			}
		}
		require.NoError(t, apply(ctx, c, o), "%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
	}
	nowhere := kubeenv.Shared(t).Namespace
	allowed := asManager(t, c, env.Namespace)

	uses := backupUses(t)
	require.True(t, slices.ContainsFunc(uses, func(u backupUse) bool { return u.namespace != activities.ManagerNamespace }),
		"the seed catalog backs Gitea up in its own namespace: %+v", uses)
	for _, u := range uses {
		t.Run(u.release, func(t *testing.T) {
			ns, ok := fresh[u.namespace]
			require.True(t, ok, "the bootstrap overlay grants nothing in namespace %s, where the backup of %s runs", u.namespace, u.release)
			needs := []access{
				{group: u.object.Group, resource: u.object.Resource, verb: "create"},
				{group: u.object.Group, resource: u.object.Resource, verb: "get", name: u.name},
			}
			if u.claim {
				needs = append(needs, access{resource: "persistentvolumeclaims", verb: "create"})
			}
			for _, a := range needs {
				here, there, everywhere := a, a, a
				here.namespace, there.namespace = ns, nowhere
				require.True(t, allowed(here), "%s (namespace %s): the backup of %s needs it", here, u.namespace, u.release)
				require.False(t, allowed(there), "%s: only where the backup runs", there)
				require.False(t, allowed(everywhere), "%s: nothing cluster-wide", everywhere)
			}
			if u.namespace == activities.ManagerNamespace {
				return // the manager's own Role: TestManagerRBACAllowsWhatTheCodeCallsAndNothingElse
			}
			never := []access{
				{resource: "secrets", verb: "get"}, {resource: "secrets", verb: "list"},
				{resource: "pods", verb: "create"}, {resource: "pods", verb: "list"}, {resource: "pods", sub: "exec", verb: "create"},
				{resource: "persistentvolumeclaims", verb: "get", name: u.name}, {group: "batch", resource: "cronjobs", verb: "create"},
			}
			for _, v := range []string{"list", "watch", "deletecollection", "update", "patch", "delete"} {
				name := u.name // the one object for a verb on one, none for a verb on all
				if v == "list" || v == "watch" || v == "deletecollection" {
					name = ""
				}
				never = append(never, access{group: u.object.Group, resource: u.object.Resource, verb: v, name: name},
					access{resource: "persistentvolumeclaims", verb: v, name: name})
			}
			for _, a := range never {
				a.namespace = ns
				require.False(t, allowed(a), "%s (namespace %s): the backup never needs it", a, u.namespace)
			}
		})
	}
}
