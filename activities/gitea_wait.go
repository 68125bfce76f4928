package activities

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// WaitGiteaInput is a region's Gitea as the bootstrap reaches it
// (https://<load balancer IP>:3000, TCP passed through to the NodePort),
// the cluster's server CA that signed its certificate, and the absolute
// deadline of the wait.
type WaitGiteaInput struct {
	Gitea    GiteaEndpoint
	CA       string
	Deadline time.Time
}

// WaitGiteaResult is the version Gitea reports.
type WaitGiteaResult struct {
	Version string
}

// giteaAdminRefused is what the wait sees while Gitea answers but refuses
// the site admin.
const giteaAdminRefused = "admin refused"

// WaitGitea waits until the region's Gitea answers GET /api/v1/version
// over TLS verified against the cluster's server CA, and its site admin
// can sign in (GET /api/v1/user), heartbeating what it sees: k3s's Helm
// controller pulls and installs the chart, and the pod starts, minutes
// after InstallGitea. At the deadline it fails, non-retryable, saying what
// it waited for and what it saw last (GiteaAuthFailed if that was the
// admin refused).
func (g *Gitea) WaitGitea(ctx context.Context, in WaitGiteaInput) (WaitGiteaResult, error) {
	ep := in.Gitea
	invalid := func(msg string) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("gitea %s: %s", ep.Region, msg), ErrGiteaInvalidInput, nil)
	}
	u, err := url.Parse(ep.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return WaitGiteaResult{}, invalid(fmt.Sprintf("URL %s is not https://host[:port] without credentials", redactURL(ep.URL)))
	}
	if ep.Username == "" || ep.Password == "" {
		return WaitGiteaResult{}, invalid("the site admin's name and password are required")
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(in.CA)) {
		return WaitGiteaResult{}, invalid("the cluster's server CA is not a PEM certificate")
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:           nil, // the load balancer is reached directly
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}}
	defer hc.CloseIdleConnections()
	base := strings.TrimSuffix(ep.URL, "/")
	for {
		version, seen := g.probeGitea(ctx, hc, base, ep)
		if seen == "" {
			return WaitGiteaResult{Version: version}, nil
		}
		activity.RecordHeartbeat(ctx, seen)
		if !time.Now().Before(in.Deadline) {
			kind := ErrGiteaNotReady
			if seen == giteaAdminRefused {
				kind = ErrGiteaAuth
			}
			return WaitGiteaResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"gitea %s at %s did not answer /api/v1/version over TLS verified by the cluster's server CA with its site admin signed in by %s (last: %s): look at the HelmChart kube-system/%s, its install Job and the pods in namespace %s, then Retry",
				ep.Region, base, in.Deadline.UTC().Format(time.RFC3339), seen, GiteaHelmChart, GiteaNamespace), kind, nil)
		}
		select {
		case <-ctx.Done():
			return WaitGiteaResult{}, ctx.Err()
		case <-time.After(g.readyPoll()):
		}
	}
}

// probeGitea asks once; seen is "" when Gitea answered and let the admin
// in, else what stood in the way, in a few words.
func (g *Gitea) probeGitea(ctx context.Context, hc *http.Client, base string, ep GiteaEndpoint) (version, seen string) {
	var v struct {
		Version string `json:"version"`
	}
	status, err := giteaGetJSON(ctx, hc, base+"/api/v1/version", nil, &v)
	switch {
	case err != nil:
		return "", describeDialError(err, g, ep)
	case status != http.StatusOK:
		return "", fmt.Sprintf("HTTP %d %s on /api/v1/version", status, http.StatusText(status))
	}
	status, err = giteaGetJSON(ctx, hc, base+"/api/v1/user", &ep, nil)
	switch {
	case err != nil:
		return "", describeDialError(err, g, ep)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "", giteaAdminRefused
	case status != http.StatusOK:
		return "", fmt.Sprintf("HTTP %d %s on /api/v1/user", status, http.StatusText(status))
	}
	return v.Version, ""
}

// giteaGetJSON GETs url (as ep's admin when ep is set) and decodes a 200 answer into out.
func giteaGetJSON(ctx context.Context, hc *http.Client, url string, ep *GiteaEndpoint, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if ep != nil {
		req.SetBasicAuth(ep.Username, ep.Password.Reveal())
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return 0, fmt.Errorf("not Gitea's API (%v)", err)
		}
	}
	return resp.StatusCode, nil
}

// describeDialError says in a few words why a request got no answer.
func describeDialError(err error, g *Gitea, ep GiteaEndpoint) string {
	return dialProblem(err, func(err error) string { return g.scrub(err, ep.Password) })
}

// dialProblem says in a few words why a request to a service the
// cluster's server CA signed got no answer; scrub words the error
// itself (without any secret it may quote).
func dialProblem(err error, scrub func(error) string) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &verify):
		return "TLS: its certificate does not verify against the cluster's server CA (" + scrub(err) + ")"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "no answer (timeout)"
	}
	return scrub(err)
}

func (g *Gitea) readyPoll() time.Duration {
	if g.ReadyPoll > 0 {
		return g.ReadyPoll
	}
	return 2 * time.Second
}
