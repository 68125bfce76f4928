package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openova-io/core/web/auth"
)

// allow is whom the OIDC flags admit.
func (f oidcFlags) allow() auth.Allow {
	return auth.Allow{Users: f.allowedUsers, EmailDomains: f.allowedDomains, Groups: f.allowedGroups, GroupsClaim: f.groupsClaim}
}

// checkAllow refuses an allow list that names nobody (an operator who
// adds a provider expects nobody to be admitted until named, not every
// account the provider has) and entries that can match nothing.
func (f oidcFlags) checkAllow() error {
	if f.allow().Empty() {
		return usageError{errors.New("--oidc-issuer admits nobody until you name who may sign in: give --oidc-allowed-users " +
			"(subjects or verified email addresses), --oidc-allowed-email-domains (e.g. example.com) or --oidc-allowed-groups")}
	}
	for _, l := range []struct {
		flag    string
		entries []string
	}{{"--oidc-allowed-users", f.allowedUsers}, {"--oidc-allowed-email-domains", f.allowedDomains}, {"--oidc-allowed-groups", f.allowedGroups}} {
		for _, e := range l.entries {
			if strings.TrimSpace(e) == "" || strings.TrimSpace(e) != e {
				return usageError{fmt.Errorf("%s has an empty entry or one with spaces around it (%q): separate entries by commas only", l.flag, e)}
			}
		}
	}
	for _, d := range f.allowedDomains {
		if d := strings.TrimPrefix(d, "@"); strings.Contains(d, "@") || !strings.Contains(d, ".") {
			return usageError{fmt.Errorf("--oidc-allowed-email-domains %q is not a domain: give the part after the @, e.g. example.com", d)}
		}
	}
	if strings.TrimSpace(f.groupsClaim) == "" && len(f.allowedGroups) > 0 {
		return usageError{errors.New("--oidc-groups-claim is empty: name the ID token claim that lists groups (groups for Keycloak and Dex)")}
	}
	return nil
}
