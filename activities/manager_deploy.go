package activities

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
)

// CommitManagerInput names the platform repository (the primary's: the
// standby's is its mirror) and the image the region's manager runs.
type CommitManagerInput struct {
	Gitea     GiteaEndpoint
	Org, Repo string
	Manager   ManagerFilesInput
}

// CommitManager commits the region's manager manifests (ManagerFiles: the
// image by digest, no Secret) to clusters/<region>/manager.yaml, which the
// region's Flux applies. Like CommitSubstrate it compares before it
// writes, so a retry after kill -9 makes no second commit.
func (g *Gitea) CommitManager(ctx context.Context, in CommitManagerInput) (CommitSubstrateResult, error) {
	if in.Org == "" || in.Repo == "" {
		return CommitSubstrateResult{}, temporal.NewNonRetryableApplicationError(
			"manager manifests of "+in.Manager.Region+": no organization or repository", ErrInvalidSubstrate, nil)
	}
	files, err := ManagerFiles(in.Manager)
	if err != nil {
		return CommitSubstrateResult{}, err
	}
	return g.commitFiles(ctx, repoFiles{Gitea: in.Gitea, Org: in.Org, Repo: in.Repo, Files: files,
		Message: fmt.Sprintf("openova: the Lifecycle Manager of %s (%s@%s)", in.Manager.Region, in.Manager.Repository, in.Manager.Digest)})
}

// WaitManagerInput is where the region's manager answers through its load
// balancer (https://<address>:<port>), the CA that signed its serving
// certificate, the name that certificate must carry, and the wait's
// absolute deadline.
type WaitManagerInput struct {
	Region     string
	URL        string
	CA         string
	ServerName string
	Deadline   time.Time
	// Poll is the pause between two asks (2 s when zero).
	Poll time.Duration `json:",omitempty"`
}

// WaitManagerResult is the SHA-256 fingerprint of the certificate the
// manager served, as the final page shows it beside the CA's.
type WaitManagerResult struct {
	CertFingerprint string
}

// WaitManager waits until the region's manager answers GET /readyz with
// 200 over TLS verified against the cluster's CA for ServerName (so the
// answer comes from the manager the bootstrap gave its certificate, not
// from anything else on the port), heartbeating what it sees: Flux applies
// the manifests, the node pulls the image from Gitea's registry, and the
// manager starts its embedded Temporal first. At the deadline it fails,
// non-retryable, with what it saw last and where to look.
func (c *Clusters) WaitManager(ctx context.Context, in WaitManagerInput) (WaitManagerResult, error) {
	u, err := url.Parse(in.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || in.ServerName == "" {
		return WaitManagerResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"manager of %s: %q is not https://host:port, or no name to verify: give the load balancer's manager endpoint", in.Region, in.URL), ErrInvalidBootstrap, nil)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(in.CA)) {
		return WaitManagerResult{}, temporal.NewNonRetryableApplicationError("manager of "+in.Region+": the cluster's CA is not a PEM certificate", ErrInvalidBootstrap, nil)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:           nil, // the load balancer is reached directly
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: in.ServerName, MinVersion: tls.VersionTLS12},
	}}
	defer hc.CloseIdleConnections()
	poll := in.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	base := strings.TrimSuffix(in.URL, "/")
	for {
		fp, seen := probeManager(ctx, hc, base)
		if seen == "" {
			return WaitManagerResult{CertFingerprint: fp}, nil
		}
		heartbeat(ctx, seen)
		if !time.Now().Before(in.Deadline) {
			return WaitManagerResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"the manager of %s at %s did not answer /readyz over TLS verified by the cluster's CA by %s (last: %s): look at the Deployment %s/openova-manager, its pod's events and log, and the Kustomization %s/%s, then Retry",
				in.Region, base, in.Deadline.UTC().Format(time.RFC3339), seen, ManagerNamespace, FluxNamespace, FluxSyncName), ErrManagerNotReady, nil)
		}
		select {
		case <-ctx.Done():
			return WaitManagerResult{}, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// probeManager asks once: seen is "" when the manager is ready, else what
// stood in the way, in a few words.
func probeManager(ctx context.Context, hc *http.Client, base string) (fingerprint, seen string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return "", err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", dialProblem(err, func(err error) string { return err.Error() })
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Sprintf("HTTP %d on /readyz: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
		return "", "answered without TLS"
	}
	return Fingerprint(resp.TLS.PeerCertificates[0].Raw), ""
}

// Fingerprint is a certificate's SHA-256 as the final page prints it
// (AA:BB:…), the form browsers and `openssl x509 -fingerprint -sha256` show.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// PEMFingerprint is Fingerprint of the first certificate in a PEM block
// ("" when there is none).
func PEMFingerprint(certPEM string) string {
	b, _ := pem.Decode([]byte(certPEM))
	if b == nil || b.Type != "CERTIFICATE" {
		return ""
	}
	return Fingerprint(b.Bytes)
}
