// Package fakehcloud is a stateful, in-memory fake of the Hetzner Cloud API
// on loopback, for tests that run the real OpenTofu and the real
// terraform-provider-hcloud (or hcloud-go) against something that answers
// like the API without spending money or needing a token.
//
// It serves the routes the provider uses for SSH keys, networks and their
// subnets and routes, firewalls, placement groups, Primary IPs (and
// servers created with them), servers, load balancers and their services,
// targets and networks, DNS zones (which exist from the start,
// Options.Zones) and the RRSets in them, the actions those create, and
// the read-only catalog (locations, datacenters, server types, images,
// load balancer types, pricing). Every body is encoded with the types of
// github.com/hetznercloud/hcloud-go/v2/hcloud/schema, so its JSON has the
// shape hcloud-go decodes; the package's tests check the routes and the
// responses against the API's OpenAPI description in
// testdata/hcloud-openapi.
//
// Point the provider at it with its endpoint argument (or HCLOUD_ENDPOINT)
// set to URL() and its token to Token(). Tests then read what happened:
// Requests (mutating calls), Created and CreateCount (was each resource
// created once), Live (what still exists after a destroy), ServerUserData
// (the cloud-init a server received) and RRSet (the records of a DNS
// name). FailNext and FailNextAction inject API errors and failed actions.
//
// It refuses what the API refuses that a test of openova must meet: user
// data over 32,768 bytes, a Primary IP where Options.NoPrimaryIPs says
// none are offered (GET /pricing then lists no Primary IP price there, as
// the API does), a Primary IP assigned to a running server, an RRSet name
// that is not relative to its zone, an A record that is not an IPv4
// address, a second RRSet of the same name and type.
//
// Effects are applied at once; actions report success in the response that
// creates them unless Options.ActionRunningReports asks them to be seen
// running first, so waiting clients poll GET /actions like they do for
// the real API.
package fakehcloud
