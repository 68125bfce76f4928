package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/openova-io/core/activities"
	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/image"
	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret/passhash"
	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/workflows"
)

// managerDeployed checks the manager the bootstrap deployed in the
// primary, as the played kubelet runs it, and returns its first admin's
// password (a canary everywhere but the final page) and the registry's
// read-only token the nodes pull with (a canary everywhere):
//   - the Deployment Flux applied names the image by digest, never a tag,
//     and it is the image the result names; the kubelet player pulled it
//     with the Deployment's imagePullSecret (a read-only package token);
//   - that image, pulled by digest from Gitea's registry, runs as 65532
//     with /openova as its entrypoint, and its binary answers `version`;
//   - the manager answers at the load balancer over TLS verified by the
//     CA the result hands over, and the password the result holds signs
//     in (a wrong one does not).
func managerDeployed(t *testing.T, cloud *cloudStandIn, res workflows.BootstrapResult) []string {
	t.Helper()
	require.NotNil(t, res.Manager, "the result names the manager")
	m := res.Manager
	require.Equal(t, "fsn1", m.Region)
	require.NotNil(t, cloud.Manager, "the primary's kubelet was played")
	cloud.Manager.Wait(t, time.Minute)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the manager's log:\n%s", cloud.Manager.Log())
		}
	})

	cs, err := kubernetes.NewForConfig(cloud.Clusters["fsn1"])
	require.NoError(t, err)
	d, err := cs.AppsV1().Deployments("openova-system").Get(t.Context(), "openova-manager", metav1.GetOptions{})
	require.NoError(t, err)
	ref := d.Spec.Template.Spec.Containers[0].Image
	repo, digest, ok := strings.Cut(ref, "@")
	require.True(t, ok, "the Deployment names a digest: %s", ref)
	require.Regexp(t, `^sha256:[0-9a-f]{64}$`, digest)
	require.NotContains(t, repo[strings.LastIndex(repo, "/"):], ":", "no tag in %s", ref)
	require.Equal(t, m.Image, ref)
	require.Equal(t, ref, cloud.Manager.Ref())

	cfg, err := cloud.Manager.Image().ConfigFile()
	require.NoError(t, err)
	require.Equal(t, image.User, cfg.Config.User)
	require.Equal(t, []string{image.BinaryPath}, cfg.Config.Entrypoint)
	out, err := exec.Command(cloud.Manager.Binary(), "version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "openova ")

	admin, err := cs.CoreV1().Secrets("openova-system").Get(t.Context(), activities.ManagerAdminSecret, metav1.GetOptions{})
	require.NoError(t, err)
	ok, err = passhash.Verify(string(admin.Data[activities.ManagerAdminKey]), m.Password.Reveal())
	require.NoError(t, err)
	require.True(t, ok, "the Secret holds the hash of the password handed over")

	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM([]byte(m.CA)), "the CA handed over is PEM")
	require.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, m.CAFingerprint)
	signIn := func(password string) (int, string) {
		_, code, body := managerUI(t, m, password)
		return code, body
	}
	code, body := signIn(m.Password.Reveal())
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `data-testid="user"`, "the password handed over signs in to the manager")
	code, body = signIn("not-the-password")
	require.Equal(t, http.StatusUnauthorized, code)
	require.NotContains(t, body, `data-testid="user"`)
	require.NotContains(t, cloud.Manager.Log(), m.Password.Reveal(), "the manager never logs the password")

	pull, err := cs.CoreV1().Secrets("openova-system").Get(t.Context(), activities.ManagerPullSecret, metav1.GetOptions{})
	require.NoError(t, err)
	var docker struct {
		Auths map[string]struct{ Username, Password string } `json:"auths"`
	}
	require.NoError(t, json.Unmarshal(pull.Data[corev1.DockerConfigJsonKey], &docker))
	registry := repo[:strings.Index(repo, "/")]
	require.Contains(t, docker.Auths, registry, "the pull secret is for the registry the Deployment names")
	token := docker.Auths[registry].Password
	require.NotEmpty(t, token)
	return []string{m.Password.Reveal(), token}
}

// recoveryDownloaded downloads the recovery bundle from the final page
// with a typed passphrase and opens it: each region's kubeconfig reaches
// its cluster, its CA is the one the manager's was signed by (the
// primary's), the state key is there, and the Gitea token signs in to the
// primary's Gitea as its site admin. It returns the passphrase and the
// token (canaries).
func recoveryDownloaded(t *testing.T, p *proc, res workflows.BootstrapResult) []string {
	t.Helper()
	const passphrase = "canary-bundle-passphrase-0001"
	ui := signInHTTP(t, p)
	ui.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, body := ui.post("/wizard/run/acme/recovery", url.Values{"passphrase": {passphrase}, "passphrase_again": {passphrase}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.NotContains(t, body, passphrase)
	b, err := recovery.Open(strings.NewReader(body), passphrase)
	require.NoError(t, err)
	require.Equal(t, "acme", b.Organization)
	require.Len(t, b.Regions, 2)
	for _, r := range b.Regions {
		rc, err := clientcmd.RESTConfigFromKubeConfig(r.Kubeconfig)
		require.NoError(t, err)
		cs, err := kubernetes.NewForConfig(rc)
		require.NoError(t, err)
		_, err = cs.CoreV1().Namespaces().Get(t.Context(), "kube-system", metav1.GetOptions{})
		require.NoError(t, err, "the bundle's kubeconfig of %s reaches its cluster", r.Name)
		require.Contains(t, r.CA, "BEGIN CERTIFICATE")
	}
	require.Equal(t, res.Manager.CA, b.Regions[0].CA, "fsn1's CA signed the manager's certificate")
	require.NotEmpty(t, b.StateKey.Reveal())
	req, err := http.NewRequest(http.MethodGet, res.Manager.GiteaURL+"/api/v1/user", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "token "+b.GiteaToken.Reveal())
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM([]byte(b.Regions[0].CA)))
	gresp, err := (&http.Client{Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}).Do(req)
	require.NoError(t, err)
	_ = gresp.Body.Close()
	require.Equal(t, http.StatusOK, gresp.StatusCode, "the bundle's Gitea token signs in to the primary's Gitea")
	return []string{passphrase, b.GiteaToken.Reveal(), b.StateKey.Reveal()}
}

// managerUI signs in to the handed-over manager at its load balancer's
// address, trusting only the CA the final page hands over.
func managerUI(t *testing.T, m *bootstrap.Manager, password string) (*uiClient, int, string) {
	t.Helper()
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM([]byte(m.CA)), "the CA handed over is PEM")
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &uiClient{t: t, base: m.AddressURL, hc: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}}
	resp, body := c.post("/login", url.Values{"user": {auth.AdminUser}, "password": {password}})
	return c, resp.StatusCode, body
}
