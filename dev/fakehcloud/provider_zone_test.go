package fakehcloud

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// rrsetConfig is the record openova keeps for its manager: an A record in
// the organization's zone, which exists before any run.
func rrsetConfig(zone, address string) string {
	return providerConfig + fmt.Sprintf(`
data "hcloud_zone" "platform" {
  name = %q
}

resource "hcloud_zone_rrset" "manager" {
  zone    = data.hcloud_zone.platform.name
  name    = "manager"
  type    = "A"
  ttl     = 300
  labels  = { "openova.io/organization" = "acme" }
  records = [{ value = %q }]
}
`, zone, address)
}

// The real provider reads the zone by name and creates the record; a
// second plan finds nothing to change; a new address is set in place
// (set_records, not a second create); destroy deletes the record and
// leaves the zone. Every answer the provider got is one the API's
// description allows.
func TestProviderZoneRRSet(t *testing.T) {
	rec := &recorder{}
	fake := New(Options{ActionRunningReports: 1, Zones: []string{"acme.example"}, OnExchange: rec.add})
	t.Cleanup(fake.Close)
	tf := newTofu(t, fake, rrsetConfig("acme.example", "203.0.113.7"))
	out, code := tf.run("init", "-input=false", "-no-color")
	require.Zero(t, code, out)
	out, code = tf.run("apply", "-auto-approve", "-input=false", "-no-color")
	require.Zero(t, code, out)
	records, ok := fake.RRSet("acme.example", "manager", "A")
	require.True(t, ok)
	require.Equal(t, []string{"203.0.113.7"}, records)

	out, code = tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	require.Zero(t, code, "a second plan has changes:\n%s", out)

	tf.write(rrsetConfig("acme.example", "203.0.113.8"))
	out, code = tf.run("apply", "-auto-approve", "-input=false", "-no-color")
	require.Zero(t, code, out)
	require.Contains(t, out, "0 added, 1 changed, 0 destroyed")
	records, ok = fake.RRSet("acme.example", "manager", "A")
	require.True(t, ok)
	require.Equal(t, []string{"203.0.113.8"}, records)
	require.Equal(t, 1, fake.CreateCount(KindZoneRRSet, "acme.example:manager/A"), "updated in place, not replaced")
	require.Contains(t, fake.Requests(), Request{Method: "POST", Route: rrsetPath + "/actions/set_records",
		Kind: KindZoneRRSet, Name: "acme.example:manager/A", Status: 201})
	out, code = tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	require.Zero(t, code, "a plan after the change has changes:\n%s", out)

	out, code = tf.run("destroy", "-auto-approve", "-input=false", "-no-color")
	require.Zero(t, code, out)
	_, ok = fake.RRSet("acme.example", "manager", "A")
	require.False(t, ok)
	require.Equal(t, map[string][]string{KindZone: {"acme.example"}}, fake.Live(), "the zone stays")
	require.NotContains(t, out, fake.Token())
	require.Empty(t, fake.Unhandled())
	sc := newSpecChecker(t)
	for _, ex := range rec.all() {
		require.NoError(t, sc.check(ex), "%s %s -> %d: %s", ex.Method, ex.Path, ex.Status, ex.Body)
	}
}

// A zone that does not exist fails the plan, naming the zone, before
// anything is changed.
func TestProviderZoneNotFound(t *testing.T) {
	fake := New(Options{Zones: []string{"acme.example"}})
	t.Cleanup(fake.Close)
	tf := newTofu(t, fake, rrsetConfig("missing.example", "203.0.113.7"))
	out, code := tf.run("init", "-input=false", "-no-color")
	require.Zero(t, code, out)
	out, code = tf.run("plan", "-input=false", "-no-color")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "Resource not found")
	require.Contains(t, out, `Resource (zone) was not found: name="missing.example"`)
	require.Empty(t, fake.Requests())
}
