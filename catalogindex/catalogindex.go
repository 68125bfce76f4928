// Package catalogindex loads a platform's catalog: the embedded one plus the
// platform's remote index, fetched over HTTP with a size cap and a timeout,
// through a netguard client: whoever may set a platform's index URL must
// not be able to make the manager fetch from a cloud metadata address.
// The manager's activities and the web UI load it the same way, so the
// Components page offers exactly what an install would resolve. It sits
// outside catalog, which does no I/O, and outside activities, which the
// web UI may not import.
package catalogindex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/netguard"
)

// Limits on the remote index.
const (
	MaxIndexBytes = 4 << 20
	IndexTimeout  = 30 * time.Second
)

// Error is a failed load. Permanent errors (an invalid URL or index, one
// too large) need the index fixed; others (unreachable, HTTP 5xx) may pass.
type Error struct {
	Permanent bool
	Msg       string
}

func (e *Error) Error() string { return e.Msg }

// Load is base merged with the index at indexURL (base alone when empty).
func Load(ctx context.Context, hc *http.Client, base *catalog.Catalog, indexURL string) (*catalog.Catalog, error) {
	if indexURL == "" {
		return base, nil
	}
	data, err := Fetch(ctx, hc, indexURL)
	if err != nil {
		return nil, err
	}
	idx, err := catalog.ParseIndex(data)
	if err != nil {
		return nil, &Error{Permanent: true, Msg: fmt.Sprintf("catalog index %s: %v", RedactURL(indexURL), err)}
	}
	merged, err := base.Merge(idx)
	if err != nil {
		return nil, &Error{Permanent: true, Msg: fmt.Sprintf("catalog index %s: %v", RedactURL(indexURL), err)}
	}
	return merged, nil
}

// Fetch gets the index with a size cap. hc should be a netguard client
// (nil: one that fetches over https only); a destination it refuses is a
// permanent error, since the URL must change.
func Fetch(ctx context.Context, hc *http.Client, indexURL string) ([]byte, error) {
	if hc == nil {
		hc = netguard.Policy{}.Client(IndexTimeout)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, indexURL, nil)
	if err != nil {
		return nil, &Error{Permanent: true, Msg: fmt.Sprintf("catalog index URL %s is not valid: %v", RedactURL(indexURL), UnwrapURLError(err))}
	}
	resp, err := hc.Do(req)
	var refused *netguard.Error
	if errors.As(err, &refused) {
		return nil, &Error{Permanent: true, Msg: fmt.Sprintf("catalog index %s is refused: %s", RedactURL(indexURL), refused.Msg)}
	}
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("fetch catalog index %s: %v", RedactURL(indexURL), UnwrapURLError(err))}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Msg: fmt.Sprintf("fetch catalog index %s: HTTP %d", RedactURL(indexURL), resp.StatusCode)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxIndexBytes+1))
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("read catalog index %s: %v", RedactURL(indexURL), err)}
	}
	if len(data) > MaxIndexBytes {
		return nil, &Error{Permanent: true, Msg: fmt.Sprintf("catalog index %s is larger than %d MiB", RedactURL(indexURL), MaxIndexBytes>>20)}
	}
	return data, nil
}

// RedactURL is a URL as messages may show it: without userinfo, query and
// fragment, where credentials and tokens ride. Everything that names a URL
// in an error, a log line or a page (catalog index, Helm repository, Git
// remote, alert receiver) goes through it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// UnwrapURLError keeps the cause of a *url.Error, whose message repeats the
// full URL (with any credentials).
func UnwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
