package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Allow is whom sign-in with the OpenID provider admits. Every account of
// the provider can present a valid ID token, and a session may change
// what the cluster runs (a catalog index adds charts and backup Jobs), so
// nobody is admitted unless named here: by subject or verified email
// address (Users), by the domain of a verified email address
// (EmailDomains), or by group (Groups, from the GroupsClaim of the ID
// token). The user name the provider shows (preferred_username) never
// counts: users can often choose it, and two accounts may share it.
type Allow struct {
	Users        []string
	EmailDomains []string
	Groups       []string
	// GroupsClaim names the ID token's claim with the user's groups
	// ("groups" when empty: Keycloak's and Dex's name).
	GroupsClaim string
}

// Empty says the list admits nobody.
func (a Allow) Empty() bool {
	return len(a.Users) == 0 && len(a.EmailDomains) == 0 && len(a.Groups) == 0
}

func (a Allow) groupsClaim() string {
	if a.GroupsClaim == "" {
		return "groups"
	}
	return a.GroupsClaim
}

// identity is what an ID token says of its user.
type identity struct {
	Issuer, Subject   string
	PreferredUsername string
	Email             string
	EmailVerified     bool
	Groups            []string
}

// ID is the stable, unforgeable name of the user: the provider's issuer
// and the user's subject, which the provider alone assigns.
func (id identity) ID() string { return id.Issuer + "#" + id.Subject }

// display is how pages and messages name the user.
func (id identity) display() string {
	name := id.PreferredUsername
	switch {
	case name == "" && id.Email == "":
		return "with subject " + id.Subject
	case name == "":
		return id.Email
	case id.Email != "" && !strings.EqualFold(id.Email, name):
		return name + " (" + id.Email + ")"
	}
	return name
}

// domain is the part of an email address after its last @, lower-case.
func domain(email string) string {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}

// admits reports whether a lets id in and, when it does not, the page's
// message: what was wrong and whom to ask for what.
func (a Allow) admits(id identity) (bool, string) {
	if slices.Contains(a.Users, id.Subject) {
		return true, ""
	}
	if slices.ContainsFunc(a.Groups, func(g string) bool { return slices.Contains(id.Groups, g) }) {
		return true, ""
	}
	emailListed := id.Email != "" && slices.ContainsFunc(a.Users, func(u string) bool { return strings.EqualFold(u, id.Email) })
	domainListed := id.Email != "" && slices.ContainsFunc(a.EmailDomains, func(d string) bool {
		return strings.EqualFold(strings.TrimPrefix(d, "@"), domain(id.Email))
	})
	if (emailListed || domainListed) && id.EmailVerified {
		return true, ""
	}
	msg := fmt.Sprintf("Your account %s is not allowed to sign in to this openova", id.display())
	if emailListed || domainListed {
		return false, fmt.Sprintf("%s: the provider has not verified its email address %s, and openova admits an email address or domain only once it is verified. "+
			"Verify the address with your identity provider, or ask the operator to add your account's subject %s to --oidc-allowed-users.", msg, id.Email, id.Subject)
	}
	return false, fmt.Sprintf("%s: ask the operator to add it to --oidc-allowed-users (its subject %s, or its verified email address), "+
		"its email domain to --oidc-allowed-email-domains, or one of its groups to --oidc-allowed-groups.", msg, id.Subject)
}

// stringsClaim reads a claim that holds a list of strings, or one string
// (some providers send a lone group so).
func stringsClaim(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// verified reads email_verified: true, or "true" (AWS Cognito sends a string).
func verified(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}
