package activities

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/openova-io/core/dev/testenv/kubeenv"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/secret/passhash"
)

const testAdminHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

// ApplyManagerSecrets against a real API server: the namespace with the
// restricted Pod Security labels and the two Secrets the manager mounts,
// twice without a change; bad input refused before anything is applied,
// and no key in any error.
func TestApplyManagerSecrets(t *testing.T) {
	env := kubeenv.Start(t)
	kubeconfig, err := os.ReadFile(env.Kubeconfig)
	require.NoError(t, err)
	cs, err := kubernetes.NewForConfig(env.Config)
	require.NoError(t, err)
	pki, err := NewClusterPKI("acme-fsn1", time.Now())
	require.NoError(t, err)
	cert, key, err := servingCert(pki, "manager", []string{"203.0.113.10", "manager.acme.example"}, time.Now())
	require.NoError(t, err)
	in := ManagerSecretsInput{Cluster: "acme-fsn1", Kubeconfig: kubeconfig, TLSCert: cert, TLSKey: secret.Text(key), AdminHash: testAdminHash,
		Registry: "203.0.113.10:3000", PullUser: "openova-admin", PullToken: "canary-pull-token"}
	r := newActivityRun(&Clusters{})
	ctx := context.Background()

	var versions []string
	for range 2 {
		var res ManagerSecretsResult
		require.NoError(t, r.do((&Clusters{}).ApplyManagerSecrets, in, &res))
		require.Equal(t, ManagerSecretsResult{Namespace: ManagerNamespace, Secrets: []string{ManagerTLSSecret, ManagerAdminSecret, ManagerPullSecret}}, res)
		s, err := cs.CoreV1().Secrets(ManagerNamespace).Get(ctx, ManagerTLSSecret, metav1.GetOptions{})
		require.NoError(t, err)
		versions = append(versions, s.ResourceVersion)
		require.Equal(t, cert, string(s.Data["tls.crt"]))
		require.Equal(t, key, string(s.Data["tls.key"]))
	}
	require.Equal(t, versions[0], versions[1], "the second apply changed nothing")
	admin, err := cs.CoreV1().Secrets(ManagerNamespace).Get(ctx, ManagerAdminSecret, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{ManagerAdminKey: []byte(testAdminHash)}, admin.Data, "only the hash")
	pull, err := cs.CoreV1().Secrets(ManagerNamespace).Get(ctx, ManagerPullSecret, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, corev1.SecretTypeDockerConfigJson, pull.Type)
	require.JSONEq(t, `{"auths":{"203.0.113.10:3000":{"username":"openova-admin","password":"canary-pull-token","auth":"b3Blbm92YS1hZG1pbjpjYW5hcnktcHVsbC10b2tlbg=="}}}`,
		string(pull.Data[corev1.DockerConfigJsonKey]), "the registry's read-only credentials, as kubelet reads them")
	ns, err := cs.CoreV1().Namespaces().Get(ctx, ManagerNamespace, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/enforce"])

	other, otherKey, err := servingCert(pki, "other", []string{"manager.acme.example"}, time.Now())
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		change func(*ManagerSecretsInput)
		msg    string
	}{
		{"the password, not its hash", func(in *ManagerSecretsInput) { in.AdminHash = "canary-plain-password" }, "not an argon2id PHC string"},
		{"a key of another certificate", func(in *ManagerSecretsInput) { in.TLSCert = other }, "not a PEM pair that belongs together"},
		{"no kubeconfig", func(in *ManagerSecretsInput) { in.Kubeconfig = nil }, "the cluster and its kubeconfig are required"},
		{"no pull token", func(in *ManagerSecretsInput) { in.PullToken = "" }, "its read-only token are required"},
		{"a registry with a path", func(in *ManagerSecretsInput) { in.Registry = "203.0.113.10:3000/acme" }, "the registry (host:port)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := in
			tc.change(&bad)
			err := r.do((&Clusters{}).ApplyManagerSecrets, bad, &ManagerSecretsResult{})
			require.Equal(t, ErrInvalidBootstrap, errType(err), "%v", err)
			require.ErrorContains(t, err, tc.msg)
			// The password, and each key's first base64 line.
			for _, s := range []string{"canary-plain-password", strings.Split(key, "\n")[1], strings.Split(otherKey, "\n")[1]} {
				require.NotContains(t, err.Error(), s, "no key or password in the error")
			}
		})
	}
}

// Each call makes a new password; the hash verifies it and is what
// ApplyManagerSecrets takes; the password is masked wherever it is shown.
func TestGenerateManagerAdmin(t *testing.T) {
	r := newActivityRun(&Clusters{})
	var a, b ManagerAdmin
	require.NoError(t, r.do((&Clusters{}).GenerateManagerAdmin, ManagerAdminInput{Organization: "acme"}, &a))
	require.NoError(t, r.do((&Clusters{}).GenerateManagerAdmin, ManagerAdminInput{Organization: "acme"}, &b))
	require.NotEqual(t, a.Password, b.Password)
	require.Len(t, a.Password.Reveal(), 24, "144 random bits")
	ok, err := passhash.Verify(a.Hash, a.Password.Reveal())
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, strings.HasPrefix(a.Hash, "$argon2id$"))
	require.NotContains(t, fmt.Sprint(a), a.Password.Reveal(), "masked when printed")
	err = r.do((&Clusters{}).GenerateManagerAdmin, ManagerAdminInput{}, &a)
	require.Equal(t, ErrInvalidBootstrap, errType(err))
}
