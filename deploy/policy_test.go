package deploy_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestRBACLeastPrivilege guards DESIGN.md's security model on what a user
// actually applies: no wildcard anywhere, no ClusterRole that can read
// Secrets (which would expose every namespace's credentials), and Secrets only
// through a namespaced Role, read-only. The manager works in openova-system
// only, so there is no cluster-wide role or binding at all, and nothing that
// grants more permissions (RBAC objects, escalate, bind, impersonate, tokens,
// exec). The bootstrap's build adds Roles in the substrate's namespaces
// (adopted.yaml), under the same rules.
func TestRBACLeastPrivilege(t *testing.T) {
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			for _, kind := range []string{"ClusterRole", "ClusterRoleBinding"} {
				for _, o := range byKind(objs, kind) {
					require.Failf(t, "cluster-wide RBAC", "%s %s: the manager's permissions are a Role in openova-system", kind, o.GetName())
				}
			}
			roles := append(byKind(objs, "ClusterRole"), byKind(objs, "Role")...)
			require.NotEmpty(t, roles)
			secretsInRole := false
			for _, role := range roles {
				id := role.GetKind() + " " + role.GetName()
				rules, _, err := unstructured.NestedSlice(role.Object, "rules")
				require.NoError(t, err, id)
				require.NotEmpty(t, rules, "%s has no rules", id)
				for _, r := range rules {
					rule := r.(map[string]any)
					for _, field := range []string{"apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"} {
						for _, v := range strs(rule[field]) {
							require.NotContains(t, v, "*", "%s: wildcard in %s: %v", id, field, rule)
						}
					}
					require.NotContains(t, strs(rule["apiGroups"]), "rbac.authorization.k8s.io", "%s grants RBAC objects: %v", id, rule)
					for _, v := range []string{"escalate", "bind", "impersonate"} {
						require.NotContains(t, strs(rule["verbs"]), v, "%s: %v", id, rule)
					}
					for _, r := range []string{"pods/exec", "pods/attach", "serviceaccounts/token", "nodes", "nodes/proxy", "certificatesigningrequests"} {
						require.NotContains(t, strs(rule["resources"]), r, "%s: %v", id, rule)
					}
					if !slices.Contains(strs(rule["resources"]), "secrets") {
						continue
					}
					require.Equal(t, "Role", role.GetKind(), "%s grants access to secrets cluster-wide: %v", id, rule)
					require.Equal(t, "openova-system", role.GetNamespace(), id)
					require.Equal(t, []string{"get"}, strs(rule["verbs"]), "%s: secrets are read one by one, never listed, watched or written", id)
					secretsInRole = true
				}
			}
			require.True(t, secretsInRole, "the manager reads its Git credentials and codec key Secrets: a namespaced Role must grant get")

			// Every role is bound to the manager's ServiceAccount and to nothing else.
			for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
				for _, b := range byKind(objs, kind) {
					subjects, _, _ := unstructured.NestedSlice(b.Object, "subjects")
					require.Len(t, subjects, 1, "%s %s", kind, b.GetName())
					s := subjects[0].(map[string]any)
					require.Equal(t, map[string]any{"kind": "ServiceAccount", "name": "openova-manager", "namespace": "openova-system"}, s)
				}
			}
		})
	}
}

// TestDeploymentHardening checks the manager pod of both overlays against the
// "restricted" Pod Security Standard and the single-writer SQLite: non-root,
// read-only root filesystem, no privilege escalation, probes, resources, the
// PVC at the data dir, and Recreate so two pods never share the database.
func TestDeploymentHardening(t *testing.T) {
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			d := one(t, objs, "Deployment", "openova-manager")
			spec := d.Object["spec"].(map[string]any)
			require.EqualValues(t, 1, spec["replicas"])
			strategy, _, _ := unstructured.NestedString(d.Object, "spec", "strategy", "type")
			require.Equal(t, "Recreate", strategy, "the embedded SQLite is single-writer")
			pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
			require.Equal(t, "openova-manager", pod["serviceAccountName"])
			podSec := pod["securityContext"].(map[string]any)
			require.Equal(t, true, podSec["runAsNonRoot"])
			require.EqualValues(t, 65532, podSec["runAsUser"])

			c := managerContainer(t, objs)
			sec := c["securityContext"].(map[string]any)
			require.Equal(t, true, sec["runAsNonRoot"])
			require.EqualValues(t, 65532, sec["runAsUser"])
			require.Equal(t, true, sec["readOnlyRootFilesystem"])
			require.Equal(t, false, sec["allowPrivilegeEscalation"])
			require.Equal(t, []string{"ALL"}, strs(sec["capabilities"].(map[string]any)["drop"]))
			seccomp, _, _ := unstructured.NestedString(sec, "seccompProfile", "type")
			require.Equal(t, "RuntimeDefault", seccomp)

			args := strs(c["args"])
			require.Equal(t, "manager", args[0])
			for _, a := range []string{"--listen=0.0.0.0:8080", "--data-dir=/var/lib/openova", "--namespace=openova-system"} {
				require.Contains(t, args, a)
			}
			for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
				got, _, _ := unstructured.NestedString(c, probe, "httpGet", "path")
				require.Equal(t, path, got, probe)
				port, _, _ := unstructured.NestedFieldNoCopy(c, probe, "httpGet", "port")
				require.Contains(t, []any{"http", int64(8080)}, port, probe)
			}
			for _, kind := range []string{"requests", "limits"} {
				for _, res := range []string{"cpu", "memory"} {
					v, _, _ := unstructured.NestedString(c, "resources", kind, res)
					require.NotEmpty(t, v, "resources.%s.%s", kind, res)
				}
			}

			mounts := map[string]string{} // mountPath -> volume name
			for _, m := range c["volumeMounts"].([]any) {
				m := m.(map[string]any)
				mounts[m["mountPath"].(string)] = m["name"].(string)
			}
			volumes := map[string]map[string]any{}
			for _, v := range pod["volumes"].([]any) {
				v := v.(map[string]any)
				volumes[v["name"].(string)] = v
			}
			data := volumes[mounts["/var/lib/openova"]]
			require.NotNil(t, data, "nothing mounted at the data dir")
			claim, _, _ := unstructured.NestedString(data, "persistentVolumeClaim", "claimName")
			require.Equal(t, "openova-data", claim)
			tmp := volumes[mounts["/tmp"]]
			require.NotNil(t, tmp, "a read-only root filesystem needs a writable /tmp")
			require.Contains(t, tmp, "emptyDir")

			svc := one(t, objs, "Service", "openova-manager")
			ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
			require.Len(t, ports, 1)
			require.Equal(t, "http", ports[0].(map[string]any)["targetPort"])
			if dir != "overlays/bootstrap" {
				require.EqualValues(t, 80, ports[0].(map[string]any)["port"])
				return
			}
			// The bootstrap's manager serves HTTPS itself, on the NodePort
			// the load balancer passes 443 through to.
			require.Equal(t, "NodePort", svc.Object["spec"].(map[string]any)["type"])
			require.EqualValues(t, 443, ports[0].(map[string]any)["port"])
			require.EqualValues(t, 30443, ports[0].(map[string]any)["nodePort"])
			for _, a := range []string{"--tls-cert=/etc/openova/tls/tls.crt", "--tls-key=/etc/openova/tls/tls.key", "--admin-password-hash-file=/etc/openova/admin/password.argon2id"} {
				require.Contains(t, args, a)
			}
			for _, probe := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
				scheme, _, _ := unstructured.NestedString(c, probe, "httpGet", "scheme")
				require.Equal(t, "HTTPS", scheme, probe)
			}
			for dir, secret := range map[string]string{"/etc/openova/tls": "openova-manager-tls", "/etc/openova/admin": "openova-admin"} {
				name, _, _ := unstructured.NestedString(volumes[mounts[dir]], "secret", "secretName")
				require.Equal(t, secret, name, dir)
			}
			require.Empty(t, byKind(objs, "Secret"), "no Secret is in what the bootstrap commits")
		})
	}
}

// managerContainer is the manager container of the build's Deployment.
func managerContainer(t *testing.T, objs []*unstructured.Unstructured) map[string]any {
	t.Helper()
	d := one(t, objs, "Deployment", "openova-manager")
	containers, _, err := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	require.NoError(t, err)
	require.Len(t, containers, 1)
	c := containers[0].(map[string]any)
	require.Equal(t, "manager", c["name"])
	return c
}

// strs turns a YAML list of strings into a []string (nil when absent).
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
