package activities

import (
	"errors"
	"net/url"
)

// redactURL is a URL as messages may show it: without userinfo, query and
// fragment, where credentials and tokens ride. Every activity that names a
// URL in an error or a log (catalog index, Helm repository, Git remote,
// alert receiver) goes through it.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// unwrapURLError keeps the cause of a *url.Error, whose message repeats the
// full URL (with any credentials).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
