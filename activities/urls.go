package activities

import catalogremote "github.com/openova-io/core/catalogindex"

// redactURL and unwrapURLError are the one URL redactor (catalogremote.RedactURL),
// under the short names every activity uses.
func redactURL(raw string) string { return catalogremote.RedactURL(raw) }

func unwrapURLError(err error) error { return catalogremote.UnwrapURLError(err) }
