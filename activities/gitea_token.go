package activities

import (
	"context"
	"fmt"
	"net/http"

	"code.gitea.io/sdk/gitea"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/secret"
)

// EnsureGiteaTokenInput names a token of the site admin and what it may do
// (Gitea scopes, e.g. "read:repository" for Flux, "write:repository" for
// the bootstrap's commits).
type EnsureGiteaTokenInput struct {
	Gitea  GiteaEndpoint
	Name   string
	Scopes []string
}

// EnsureGiteaTokenResult is the token's value: it lives only in the
// (encrypted) workflow history and where the workflow hands it on.
type EnsureGiteaTokenResult struct {
	Token secret.Text
}

// EnsureGiteaToken issues the token of that name, replacing any earlier
// one of the same name, so the site admin holds exactly one. Gitea shows a
// token's value once, when it is made: a token found from an earlier
// attempt (one that crashed before Temporal recorded its result) has a
// value nobody kept, so it is deleted, not reused. A completed call is
// never run again (the workflow reads its recorded result), so the value a
// workflow holds stays valid; calling it again on purpose rotates the token.
func (g *Gitea) EnsureGiteaToken(ctx context.Context, in EnsureGiteaTokenInput) (EnsureGiteaTokenResult, error) {
	if in.Name == "" {
		return EnsureGiteaTokenResult{}, temporal.NewNonRetryableApplicationError("gitea token: the name is required", ErrGiteaInvalidInput, nil)
	}
	c, err := g.client(ctx, in.Gitea)
	if err != nil {
		return EnsureGiteaTokenResult{}, err
	}
	v, err := g.issueToken(c, in.Gitea, in.Name, in.Scopes)
	return EnsureGiteaTokenResult{Token: v}, err
}

// issueToken deletes the site admin's tokens of that name and makes a new one.
func (g *Gitea) issueToken(c *gitea.Client, ep GiteaEndpoint, name string, scopes []string) (secret.Text, error) {
	if err := g.deleteToken(c, ep, name); err != nil {
		return "", err
	}
	s := make([]gitea.AccessTokenScope, len(scopes))
	for i, v := range scopes {
		s[i] = gitea.AccessTokenScope(v)
	}
	tok, resp, err := c.CreateAccessToken(gitea.CreateAccessTokenOption{Name: name, Scopes: s})
	if err != nil {
		if status(resp) == http.StatusBadRequest || status(resp) == http.StatusUnprocessableEntity {
			// A bad scope, or the name taken by a concurrent run: only the
			// first is permanent, and a retry tells them apart.
			return "", fmt.Errorf("gitea %s: create token %s: %s", ep.Region, name, g.scrub(err, ep.Password))
		}
		return "", g.fail(ep, "create token "+name, resp, err)
	}
	return secret.Text(tok.Token), nil
}

// deleteToken removes every token of the site admin called name (none is fine).
func (g *Gitea) deleteToken(c *gitea.Client, ep GiteaEndpoint, name string) error {
	ids, err := g.tokenIDs(c, ep, name)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if resp, err := c.DeleteAccessToken(id); err != nil && status(resp) != http.StatusNotFound {
			return g.fail(ep, "delete token "+name, resp, err)
		}
	}
	return nil
}

// tokenIDs are the IDs of the site admin's tokens called name.
func (g *Gitea) tokenIDs(c *gitea.Client, ep GiteaEndpoint, name string) ([]int64, error) {
	var ids []int64
	for page := 1; ; page++ {
		toks, resp, err := c.ListAccessTokens(gitea.ListAccessTokensOptions{ListOptions: gitea.ListOptions{Page: page, PageSize: 50}})
		if err != nil {
			return nil, g.fail(ep, "list tokens", resp, err)
		}
		for _, t := range toks {
			if t.Name == name {
				ids = append(ids, t.ID)
			}
		}
		if len(toks) < 50 {
			return ids, nil
		}
	}
}
