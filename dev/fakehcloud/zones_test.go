package fakehcloud

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/require"
)

// exerciseZones walks an RRSet in an existing zone through what data
// "hcloud_zone" and hcloud_zone_rrset do with it: read the zone by name,
// create, read, change records, TTL, labels and protection in place,
// delete. It leaves the zone as it found it.
func exerciseZones(e *env, name string) {
	t, c, ctx := e.t, e.client, e.ctx
	zones, err := c.Zone.All(ctx)
	require.NoError(t, err)
	require.Len(t, zones, 1)
	z, _, err := c.Zone.GetByName(ctx, name)
	require.NoError(t, err)
	require.NotNil(t, z)
	require.Equal(t, hcloud.ZoneModePrimary, z.Mode)
	byID, _, err := c.Zone.GetByID(ctx, z.ID)
	require.NoError(t, err)
	require.Equal(t, name, byID.Name)

	res, _, err := c.Zone.CreateRRSet(ctx, z, hcloud.ZoneRRSetCreateOpts{Name: "manager", Type: hcloud.ZoneRRSetTypeA,
		TTL: hcloud.Ptr(300), Labels: map[string]string{"openova.io/organization": "acme"},
		Records: []hcloud.ZoneRRSetRecord{{Value: "203.0.113.7", Comment: "the manager"}}})
	require.NoError(t, err)
	e.wait(res.Action)
	require.Equal(t, "manager/A", res.RRSet.ID)
	rr, _, err := c.Zone.GetRRSetByNameAndType(ctx, z, "manager", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	require.Equal(t, []hcloud.ZoneRRSetRecord{{Value: "203.0.113.7", Comment: "the manager"}}, rr.Records)
	require.Equal(t, 300, *rr.TTL)
	all, err := c.Zone.AllRRSetsWithOpts(ctx, z, hcloud.ZoneRRSetListOpts{Type: []hcloud.ZoneRRSetType{hcloud.ZoneRRSetTypeA}})
	require.NoError(t, err)
	require.Len(t, all, 1)

	rr.Zone = z
	e.do(c.Zone.SetRRSetRecords(ctx, rr, hcloud.ZoneRRSetSetRecordsOpts{Records: []hcloud.ZoneRRSetRecord{{Value: "203.0.113.8"}}}))
	e.do(c.Zone.ChangeRRSetTTL(ctx, rr, hcloud.ZoneRRSetChangeTTLOpts{TTL: nil}))
	rr, _, err = c.Zone.UpdateRRSet(ctx, rr, hcloud.ZoneRRSetUpdateOpts{Labels: map[string]string{"touched": "yes"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"touched": "yes"}, rr.Labels)
	require.Nil(t, rr.TTL, "no TTL of its own: the zone's")
	require.Equal(t, []hcloud.ZoneRRSetRecord{{Value: "203.0.113.8"}}, rr.Records)
	for _, on := range []bool{true, false} {
		e.do(c.Zone.ChangeRRSetProtection(ctx, rr, hcloud.ZoneRRSetChangeProtectionOpts{Change: &on}))
	}
	rr.Zone = z
	del, _, err := c.Zone.DeleteRRSet(ctx, rr)
	require.NoError(t, err)
	e.wait(del.Action)
	gone, _, err := c.Zone.GetRRSetByNameAndType(ctx, z, "manager", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	require.Nil(t, gone)
}

func TestZoneRRSetLifecycle(t *testing.T) {
	e := newEnv(t, Options{ActionRunningReports: 1, Zones: []string{"acme.example"}})
	exerciseZones(e, "acme.example")
	require.Equal(t, map[string][]string{KindZone: {"acme.example"}}, e.fake.Live(), "the zone stays")
	require.Equal(t, 1, e.fake.CreateCount(KindZoneRRSet, "acme.example:manager/A"))
	_, ok := e.fake.RRSet("acme.example", "manager", "A")
	require.False(t, ok)
}

// The observers see RRSets as the API holds them.
func TestRRSetObserver(t *testing.T) {
	e := newEnv(t, Options{Zones: []string{"acme.example", "other.example"}})
	z := &hcloud.Zone{Name: "acme.example"}
	for _, name := range []string{"manager", "@"} {
		_, _, err := e.client.Zone.CreateRRSet(e.ctx, z, hcloud.ZoneRRSetCreateOpts{Name: name, Type: hcloud.ZoneRRSetTypeA,
			Records: []hcloud.ZoneRRSetRecord{{Value: "203.0.113.7"}, {Value: "203.0.113.9"}}})
		require.NoError(t, err)
	}
	got, ok := e.fake.RRSet("acme.example", "manager", "A")
	require.True(t, ok)
	require.Equal(t, []string{"203.0.113.7", "203.0.113.9"}, got)
	for _, tc := range []struct{ zone, name, typ string }{
		{"other.example", "manager", "A"}, {"acme.example", "manager", "AAAA"}, {"missing.example", "manager", "A"},
	} {
		_, ok := e.fake.RRSet(tc.zone, tc.name, tc.typ)
		require.False(t, ok, "%+v", tc)
	}
	require.Equal(t, map[string][]string{KindZone: {"acme.example", "other.example"},
		KindZoneRRSet: {"acme.example:@/A", "acme.example:manager/A"}}, e.fake.Live())
	zone, _, err := e.client.Zone.GetByName(e.ctx, "acme.example")
	require.NoError(t, err)
	require.Equal(t, 4, zone.RecordCount)
}

// A zone the API would not have is a bug in the test, caught at New.
func TestZoneFixturesPanic(t *testing.T) {
	for _, zones := range [][]string{{"Acme.example"}, {"acme.example."}, {"localhost"}, {"-acme.example"},
		{"acme.example", "acme.example"}} {
		t.Run(fmt.Sprint(zones), func(t *testing.T) {
			require.Panics(t, func() { New(Options{Zones: zones}).Close() })
		})
	}
}

// Each RRSet route's refusals, as the API documents them.
func TestRRSetRoutes(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, Options{Zones: []string{"acme.example"}, OnExchange: rec.add})
	z, _, err := e.client.Zone.GetByName(e.ctx, "acme.example")
	require.NoError(t, err)
	for _, opts := range []hcloud.ZoneRRSetCreateOpts{
		{Name: "manager", Type: hcloud.ZoneRRSetTypeA, Records: []hcloud.ZoneRRSetRecord{{Value: "203.0.113.7"}}},
		{Name: "manager", Type: hcloud.ZoneRRSetTypeAAAA, Records: []hcloud.ZoneRRSetRecord{{Value: "2001:db8::7"}}},
		{Name: "*.apps", Type: hcloud.ZoneRRSetTypeCNAME, Records: []hcloud.ZoneRRSetRecord{{Value: "manager.acme.example."}}},
		{Name: "_acme-challenge", Type: hcloud.ZoneRRSetTypeTXT, TTL: hcloud.Ptr(60), Records: []hcloud.ZoneRRSetRecord{{Value: `"token"`}}},
		{Name: "locked", Type: hcloud.ZoneRRSetTypeA, Records: []hcloud.ZoneRRSetRecord{{Value: "203.0.113.1"}}},
	} {
		_, _, err := e.client.Zone.CreateRRSet(e.ctx, z, opts)
		require.NoError(t, err, "%s/%s", opts.Name, opts.Type)
	}
	locked := &hcloud.ZoneRRSet{Zone: z, Name: "locked", Type: hcloud.ZoneRRSetTypeA}
	e.do(e.client.Zone.ChangeRRSetProtection(e.ctx, locked, hcloud.ZoneRRSetChangeProtectionOpts{Change: hcloud.Ptr(true)}))

	const rrsets = "/zones/acme.example/rrsets"
	create := func(name, typ, records string) string {
		return fmt.Sprintf(`{"name":%q,"type":%q,"records":%s}`, name, typ, records)
	}
	a := `[{"value":"203.0.113.7"}]`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"create in an unknown zone", "POST", "/zones/missing.example/rrsets", create("www", "A", a), 404, "not_found"},
		{"create in an unknown zone by ID", "POST", "/zones/1/rrsets", create("www", "A", a), 404, "not_found"},
		{"get of an unknown zone", "GET", "/zones/missing.example", "", 404, "not_found"},
		{"get of a missing RRSet", "GET", rrsets + "/www/A", "", 404, "not_found"},
		{"get of an unknown type", "GET", rrsets + "/manager/SPF", "", 400, "invalid_input"},
		{"create without a name", "POST", rrsets, create("", "A", a), 400, "invalid_input"},
		{"create with a name in upper case", "POST", rrsets, create("WWW", "A", a), 400, "invalid_input"},
		{"create with an absolute name", "POST", rrsets, create("www.acme.example.", "A", a), 400, "invalid_input"},
		{"create with the zone in the name", "POST", rrsets, create("www.acme.example", "A", a), 400, "invalid_input"},
		{"create with the zone as the name", "POST", rrsets, create("acme.example", "A", a), 400, "invalid_input"},
		{"create with an invalid label", "POST", rrsets, create("-www", "A", a), 400, "invalid_input"},
		{"create with a wildcard inside", "POST", rrsets, create("a.*.b", "A", a), 400, "invalid_input"},
		{"create of an unsupported type", "POST", rrsets, create("www", "SPF", a), 400, "invalid_input"},
		{"create without records", "POST", rrsets, create("www", "A", `[]`), 400, "invalid_input"},
		{"create with an empty value", "POST", rrsets, create("www", "A", `[{"value":""}]`), 400, "invalid_input"},
		{"create with a value twice", "POST", rrsets, create("www", "A", `[{"value":"203.0.113.7"},{"value":"203.0.113.7"}]`), 400, "invalid_input"},
		{"an A record with an IPv6 address", "POST", rrsets, create("www", "A", `[{"value":"2001:db8::1"}]`), 400, "invalid_input"},
		{"an A record with a name", "POST", rrsets, create("www", "A", `[{"value":"manager.acme.example."}]`), 400, "invalid_input"},
		{"an A record out of range", "POST", rrsets, create("www", "A", `[{"value":"203.0.113.256"}]`), 400, "invalid_input"},
		{"an AAAA record with an IPv4 address", "POST", rrsets, create("www", "AAAA", a), 400, "invalid_input"},
		{"a TTL below 60", "POST", rrsets, `{"name":"www","type":"A","ttl":59,"records":[{"value":"203.0.113.7"}]}`, 400, "invalid_input"},
		{"a TTL above 2^31-1", "POST", rrsets, `{"name":"www","type":"A","ttl":2147483648,"records":[{"value":"203.0.113.7"}]}`, 400, "invalid_input"},
		{"an invalid label", "POST", rrsets, `{"name":"www","type":"A","labels":{"a b":"c"},"records":[{"value":"203.0.113.7"}]}`, 400, "invalid_input"},
		{"a body that is not JSON", "POST", rrsets, `{`, 400, "json_error"},
		{"the same name and type twice", "POST", rrsets, create("manager", "A", `[{"value":"203.0.113.9"}]`), 409, "uniqueness_error"},
		{"set_records of another family", "POST", rrsets + "/manager/A/actions/set_records", `{"records":[{"value":"2001:db8::1"}]}`, 400, "invalid_input"},
		{"set_records to none", "POST", rrsets + "/manager/A/actions/set_records", `{"records":[]}`, 400, "invalid_input"},
		{"set_records of a missing RRSet", "POST", rrsets + "/www/A/actions/set_records", `{"records":[{"value":"203.0.113.9"}]}`, 404, "not_found"},
		{"change_ttl below 60", "POST", rrsets + "/manager/A/actions/change_ttl", `{"ttl":30}`, 400, "invalid_input"},
		{"change_protection without change", "POST", rrsets + "/manager/A/actions/change_protection", `{}`, 400, "invalid_input"},
		{"set_records when protected", "POST", rrsets + "/locked/A/actions/set_records", `{"records":[{"value":"203.0.113.9"}]}`, 403, "protected"},
		{"change_ttl when protected", "POST", rrsets + "/locked/A/actions/change_ttl", `{"ttl":600}`, 403, "protected"},
		{"delete when protected", "DELETE", rrsets + "/locked/A", "", 403, "protected"},
		{"update of a missing RRSet", "PUT", rrsets + "/www/A", `{"labels":{}}`, 404, "not_found"},
		{"delete of a missing RRSet", "DELETE", rrsets + "/www/A", "", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, status, body)
			require.Contains(t, body, `"code":"`+tc.code+`"`)
		})
	}
	require.Len(t, e.fake.Created(KindZoneRRSet), 5, "no refused RRSet was created")
	got, ok := e.fake.RRSet("acme.example", "locked", "A")
	require.True(t, ok, "protection kept it")
	require.Equal(t, []string{"203.0.113.1"}, got)

	// Labels are not what change protection guards; lists filter by name
	// and label.
	_, _, err = e.client.Zone.UpdateRRSet(e.ctx, locked, hcloud.ZoneRRSetUpdateOpts{Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	byName, err := e.client.Zone.AllRRSetsWithOpts(e.ctx, z, hcloud.ZoneRRSetListOpts{Name: "manager"})
	require.NoError(t, err)
	require.Len(t, byName, 2)
	byLabel, err := e.client.Zone.AllRRSetsWithOpts(e.ctx, z, hcloud.ZoneRRSetListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "k=v"}})
	require.NoError(t, err)
	require.Len(t, byLabel, 1)
	status, body := e.raw("GET", "/zones?mode=secondary", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"zones":[]`)

	// Every answer, refusals included, is one the API's description allows.
	sc := newSpecChecker(t)
	for _, ex := range rec.all() {
		require.NoError(t, sc.check(ex), "%s %s -> %d: %s", ex.Method, ex.Path, ex.Status, ex.Body)
	}
}
