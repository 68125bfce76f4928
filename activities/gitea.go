package activities

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"code.gitea.io/sdk/gitea"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

// Gitea sets up each region's Gitea for the bootstrap: the organization,
// the platform repository, the tokens, and the push mirror that carries
// the primary's repository to the standby's (and, after Promote, back).
// Every activity signs in as the region's site admin (whose password the
// bootstrap generated), finds what is already there before it creates
// anything, and so creates nothing twice when Temporal runs it again.
type Gitea struct {
	// HTTP is the client for every call; nil is one with a 30 s timeout.
	HTTP *http.Client
	// MirrorWait bounds how long one push mirror sync may take (default 2 min).
	MirrorWait time.Duration
	// Poll is how often a mirror's state is read while waiting (default 250 ms).
	Poll time.Duration
	// ReadyPoll is how often WaitGitea asks a new Gitea (default 2 s).
	ReadyPoll time.Duration
	// ManagerBinary is the executable PushManagerImage builds the
	// manager's image from (os.Executable() when empty: the manager runs
	// exactly the binary that bootstraps it).
	ManagerBinary string
}

// GiteaEndpoint is one region's Gitea as the bootstrap reaches it.
type GiteaEndpoint struct {
	// Region names this side in the tokens it holds for the other
	// (openova-mirror-from-<region>).
	Region string
	// URL is its root URL, http(s), without credentials.
	URL      string
	Username string
	Password secret.Text
	// CA is the PEM certificate that signed its serving certificate (the
	// region's cluster server CA); empty trusts the system's roots.
	CA string `json:",omitempty"`
}

// defaultBranch is the platform repository's branch (Flux syncs it).
const defaultBranch = "main"

// EnsureGiteaOrgInput names the organization to have.
type EnsureGiteaOrgInput struct {
	Gitea GiteaEndpoint
	Org   string
}

// EnsureGiteaOrgResult says whether this call created it.
type EnsureGiteaOrgResult struct {
	Created bool
}

// EnsureGiteaOrg makes the organization exist (private), owned by the
// site admin. A name Gitea refuses is non-retryable, before any call.
func (g *Gitea) EnsureGiteaOrg(ctx context.Context, in EnsureGiteaOrgInput) (EnsureGiteaOrgResult, error) {
	if err := bootstrap.GiteaOrgNameError(in.Org); err != nil {
		return EnsureGiteaOrgResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrGiteaNameRefused, nil)
	}
	c, err := g.client(ctx, in.Gitea)
	if err != nil {
		return EnsureGiteaOrgResult{}, err
	}
	_, resp, err := c.GetOrg(in.Org)
	if err == nil {
		return EnsureGiteaOrgResult{}, nil
	}
	if status(resp) != http.StatusNotFound {
		return EnsureGiteaOrgResult{}, g.fail(in.Gitea, "read organization "+in.Org, resp, err)
	}
	_, resp, err = c.CreateOrg(gitea.CreateOrgOption{Name: in.Org, Visibility: gitea.VisibleTypePrivate})
	if err == nil {
		return EnsureGiteaOrgResult{Created: true}, nil
	}
	if status(resp) == http.StatusUnprocessableEntity {
		// Created by a concurrent run, or the name is a user's.
		if _, _, err2 := c.GetOrg(in.Org); err2 == nil {
			return EnsureGiteaOrgResult{}, nil
		}
		return EnsureGiteaOrgResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s refuses the organization name %q: %s", in.Gitea.Region, in.Org, g.scrub(err, in.Gitea.Password)), ErrGiteaNameRefused, nil)
	}
	return EnsureGiteaOrgResult{}, g.fail(in.Gitea, "create organization "+in.Org, resp, err)
}

// EnsureGiteaRepositoryInput names the repository to have in an organization.
type EnsureGiteaRepositoryInput struct {
	Gitea GiteaEndpoint
	Org   string
	Repo  string
}

// EnsureGiteaRepositoryResult is the repository's clone URL (as Gitea
// names itself) and head of main; Created says whether this call made it.
type EnsureGiteaRepositoryResult struct {
	Created  bool
	CloneURL string
	Commit   string
}

// EnsureGiteaRepository makes the private repository exist with a main
// branch (Gitea's initial commit). A repository of that name without any
// commit is one whose creation did not finish: it holds nothing, so it is
// deleted and made again rather than left without its branch.
func (g *Gitea) EnsureGiteaRepository(ctx context.Context, in EnsureGiteaRepositoryInput) (EnsureGiteaRepositoryResult, error) {
	if err := bootstrap.GiteaRepoNameError(in.Repo); err != nil {
		return EnsureGiteaRepositoryResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrGiteaNameRefused, nil)
	}
	c, err := g.client(ctx, in.Gitea)
	if err != nil {
		return EnsureGiteaRepositoryResult{}, err
	}
	repo, resp, err := c.GetRepo(in.Org, in.Repo)
	switch {
	case err == nil && !repo.Empty:
		return g.repoResult(c, in, repo, false)
	case err == nil:
		if resp, err := c.DeleteRepo(in.Org, in.Repo); err != nil && status(resp) != http.StatusNotFound {
			return EnsureGiteaRepositoryResult{}, g.fail(in.Gitea, "delete the empty repository "+in.Org+"/"+in.Repo, resp, err)
		}
	case status(resp) != http.StatusNotFound:
		return EnsureGiteaRepositoryResult{}, g.fail(in.Gitea, "read repository "+in.Org+"/"+in.Repo, resp, err)
	}
	repo, resp, err = c.CreateOrgRepo(in.Org, gitea.CreateRepoOption{Name: in.Repo, Private: true, AutoInit: true,
		DefaultBranch: defaultBranch, Readme: "Default", Description: "openova platform repository"})
	switch {
	case err == nil:
		return g.repoResult(c, in, repo, true)
	case status(resp) == http.StatusConflict:
		repo, resp, err = c.GetRepo(in.Org, in.Repo) // made by a concurrent run
		if err != nil {
			return EnsureGiteaRepositoryResult{}, g.fail(in.Gitea, "read repository "+in.Org+"/"+in.Repo, resp, err)
		}
		return g.repoResult(c, in, repo, false)
	case status(resp) == http.StatusUnprocessableEntity:
		return EnsureGiteaRepositoryResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s refuses the repository %s/%s: %s", in.Gitea.Region, in.Org, in.Repo, g.scrub(err, in.Gitea.Password)), ErrGiteaNameRefused, nil)
	}
	return EnsureGiteaRepositoryResult{}, g.fail(in.Gitea, "create repository "+in.Org+"/"+in.Repo, resp, err)
}

func (g *Gitea) repoResult(c *gitea.Client, in EnsureGiteaRepositoryInput, repo *gitea.Repository, created bool) (EnsureGiteaRepositoryResult, error) {
	head, err := g.head(c, in.Gitea, in.Org, in.Repo, repo.DefaultBranch)
	if err != nil {
		return EnsureGiteaRepositoryResult{}, err
	}
	return EnsureGiteaRepositoryResult{Created: created, CloneURL: repo.CloneURL, Commit: head}, nil
}

// head is the commit a branch points at.
func (g *Gitea) head(c *gitea.Client, ep GiteaEndpoint, org, repo, branch string) (string, error) {
	b, resp, err := c.GetRepoBranch(org, repo, branch)
	if err != nil {
		return "", g.fail(ep, "read branch "+branch+" of "+org+"/"+repo, resp, err)
	}
	if b.Commit == nil {
		return "", fmt.Errorf("gitea %s: branch %s of %s/%s has no commit", ep.Region, branch, org, repo)
	}
	return b.Commit.ID, nil
}

// tlsConfig trusts only ep's CA (the region's cluster CA).
func (ep GiteaEndpoint) tlsConfig() (*tls.Config, error) {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(ep.CA)) {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s: its CA is not a PEM certificate", ep.Region), ErrGiteaInvalidInput, nil)
	}
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}

// client signs in to ep as its site admin; a URL that is not plain
// http(s) or that carries credentials is refused (credentials travel only
// as typed secrets, never in a URL that an error could print).
func (g *Gitea) client(ctx context.Context, ep GiteaEndpoint) (*gitea.Client, error) {
	u, err := url.Parse(ep.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s: URL %s is not http(s)://host[:port] without credentials", ep.Region, redactURL(ep.URL)), ErrGiteaInvalidInput, nil)
	}
	if ep.Username == "" || ep.Password == "" {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("gitea %s: the site admin's name and password are required", ep.Region), ErrGiteaInvalidInput, nil)
	}
	hc := g.HTTP
	switch {
	case hc == nil && ep.CA != "":
		cfg, err := ep.tlsConfig()
		if err != nil {
			return nil, err
		}
		hc = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil, TLSClientConfig: cfg}}
	case hc == nil:
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return gitea.NewClient(ep.URL, gitea.SetHTTPClient(hc), gitea.SetContext(ctx),
		gitea.SetBasicAuth(ep.Username, ep.Password.Reveal()), gitea.SetGiteaVersion(""))
}

// fail turns a failed call into the activity's error: refused credentials
// are non-retryable (retrying cannot help and may lock the account),
// anything else is retried. No secret is in the message.
func (g *Gitea) fail(ep GiteaEndpoint, what string, resp *gitea.Response, err error, secrets ...secret.Text) error {
	msg := fmt.Sprintf("gitea %s: %s: %s", ep.Region, what, g.scrub(err, append(secrets, ep.Password)...))
	switch status(resp) {
	case http.StatusUnauthorized, http.StatusForbidden:
		return temporal.NewNonRetryableApplicationError(msg+" (the site admin's credentials were refused)", ErrGiteaAuth, nil)
	}
	return errors.New(msg)
}

// scrub is err's text without any of the secrets in it. Gitea's messages
// and Go's transport errors do not carry them; this holds if one ever does.
func (g *Gitea) scrub(err error, secrets ...secret.Text) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v.Reveal(), secret.Masked)
		}
	}
	return secret.Redact(s)
}

func status(resp *gitea.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

func (g *Gitea) mirrorWait() time.Duration {
	if g.MirrorWait > 0 {
		return g.MirrorWait
	}
	return 2 * time.Minute
}

func (g *Gitea) poll() time.Duration {
	if g.Poll > 0 {
		return g.Poll
	}
	return 250 * time.Millisecond
}
