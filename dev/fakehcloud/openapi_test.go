package fakehcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"
)

// specBase is the server URL requests are routed under in the spec; the
// description's own (https://api.hetzner.cloud/v1) is replaced by it.
const specBase = "http://fakehcloud.test/v1"

// cloudAPI is the server URL of the description's Cloud API paths (the
// Storage Box paths it also has are served by api.hetzner.com).
const cloudAPI = "https://api.hetzner.cloud/v1"

// loadSpec loads the API's OpenAPI description, with its quirks fixed
// (see fixSpec) and the Cloud API moved to specBase. The description
// names the server on every path, not only at the top.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("testdata/hcloud-openapi/hcloud.json")
	require.NoError(t, err)
	fixSpec(t, doc)
	doc.Servers = openapi3.Servers{{URL: specBase}}
	for _, item := range doc.Paths.Map() {
		for _, srv := range item.Servers {
			if srv.URL == cloudAPI {
				srv.URL = specBase
			}
		}
	}
	return doc
}

// specChecker validates recorded exchanges against the description.
type specChecker struct{ router routers.Router }

func newSpecChecker(t *testing.T) *specChecker {
	t.Helper()
	router, err := gorillamux.NewRouter(loadSpec(t))
	require.NoError(t, err)
	return &specChecker{router: router}
}

// check validates one response (status, headers, body) against the
// operation the spec has for its request.
func (sc *specChecker) check(ex Exchange) error {
	url := specBase + ex.Path
	if ex.RawQuery != "" {
		url += "?" + ex.RawQuery
	}
	req, err := http.NewRequest(ex.Method, url, nil)
	if err != nil {
		return err
	}
	route, params, err := sc.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no operation in the spec: %w", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 ex.Status,
		Header:                 ex.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(ex.Body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// recorder keeps the exchanges a fake reports.
type recorder struct {
	mu        sync.Mutex
	exchanges []Exchange
}

func (r *recorder) add(ex Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, ex)
}

func (r *recorder) all() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.exchanges)
}

// Every route the fake serves is an operation of the API, under the same
// path with the same parameter names.
func TestRoutesAreInTheSpec(t *testing.T) {
	doc := loadSpec(t)
	for _, rt := range Routes() {
		item := doc.Paths.Value(rt.Pattern)
		require.NotNil(t, item, "%s is not a path of the API", rt.Pattern)
		require.NotNil(t, item.GetOperation(rt.Method), "the API has no %s %s", rt.Method, rt.Pattern)
	}
}

// Every response of the lifecycle, of every other route and of the
// errors validates against the spec, and every route answered at least
// once with success.
func TestResponsesMatchTheSpec(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, Options{ActionRunningReports: 1, OnExchange: rec.add, Zones: []string{"acme.example"}})
	cl := buildCluster(e)
	exercise(e, cl)
	exerciseZones(e, "acme.example")
	provokeErrors(e, cl)
	teardown(e, cl)

	sc := newSpecChecker(t)
	var failures []string
	succeeded := map[Route]bool{}
	statuses := map[int]int{}
	for _, ex := range rec.all() {
		if ex.Route == "" {
			continue // no such route: nothing in the spec to compare with
		}
		statuses[ex.Status]++
		if err := sc.check(ex); err != nil {
			failures = append(failures, fmt.Sprintf("%s %s?%s -> %d: %v\n%s", ex.Method, ex.Path, ex.RawQuery, ex.Status, err, ex.Body))
			continue
		}
		if ex.Status < 300 {
			succeeded[Route{Method: ex.Method, Pattern: ex.Route}] = true
		}
	}
	require.Empty(t, failures, "%d responses do not match the spec:\n%s", len(failures), strings.Join(failures, "\n\n"))
	var unexercised []Route
	for _, rt := range Routes() {
		if !succeeded[rt] {
			unexercised = append(unexercised, rt)
		}
	}
	require.Empty(t, unexercised, "routes that never answered with success")
	for _, status := range []int{200, 201, 204, 400, 401, 403, 404, 409, 422, 500} {
		require.Positive(t, statuses[status], "no response with status %d was checked", status)
	}
}

// provokeErrors makes the fake answer with each kind of error.
func provokeErrors(e *env, cl cluster) {
	t := e.t
	e.fake.FailNext("POST", "/load_balancers", http.StatusForbidden, "resource_limit_exceeded", "limit reached")
	e.fake.FailNext("GET", "/locations", http.StatusInternalServerError, "server_error", "boom")
	for _, tc := range []struct {
		method, path, body string
		token              []string
		status             int
	}{
		{"GET", "/servers", "", []string{"wrong"}, http.StatusUnauthorized},
		{"GET", "/servers/999999", "", nil, http.StatusNotFound},
		{"GET", "/no_such_route", "", nil, http.StatusNotFound},
		{"POST", "/ssh_keys", fmt.Sprintf(`{"name":"ops","public_key":%q}`, publicKey(t)), nil, http.StatusConflict},
		{"POST", "/servers", `{"name":"bad_name","server_type":"cx22","image":"ubuntu-24.04"}`, nil, http.StatusBadRequest},
		{"POST", "/networks", `{`, nil, http.StatusBadRequest},
		{"DELETE", fmt.Sprintf("/firewalls/%d", cl.fwCP.ID), "", nil, http.StatusUnprocessableEntity},
		{"POST", "/load_balancers", `{"name":"lb2","load_balancer_type":"lb11","location":"fsn1"}`, nil, http.StatusForbidden},
		{"GET", "/locations", "", nil, http.StatusInternalServerError},
	} {
		status, body := e.raw(tc.method, tc.path, tc.body, tc.token...)
		require.Equal(t, tc.status, status, "%s %s: %s", tc.method, tc.path, body)
	}
}

// The check fails for responses that break the spec, so a passing
// TestResponsesMatchTheSpec means something.
func TestSpecCheckCatchesBrokenResponses(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, Options{OnExchange: rec.add})
	buildCluster(e)
	sc := newSpecChecker(t)
	var server Exchange
	for _, ex := range rec.all() {
		if ex.Method == "POST" && ex.Route == "/servers" {
			server = ex
		}
	}
	require.NoError(t, sc.check(server))
	for _, tc := range []struct {
		name   string
		mutate func(ex *Exchange, body map[string]any)
	}{
		{"missing required field", func(_ *Exchange, b map[string]any) { delete(b["server"].(map[string]any), "name") }},
		{"value outside the enum", func(_ *Exchange, b map[string]any) { b["server"].(map[string]any)["status"] = "exploded" }},
		{"wrong type", func(_ *Exchange, b map[string]any) { b["server"].(map[string]any)["id"] = "one" }},
		{"null where not nullable", func(_ *Exchange, b map[string]any) { b["action"] = nil }},
		{"undocumented status", func(ex *Exchange, _ map[string]any) { ex.Status = http.StatusAccepted }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := server
			var body map[string]any
			require.NoError(t, json.Unmarshal(ex.Body, &body))
			tc.mutate(&ex, body)
			var err error
			ex.Body, err = json.Marshal(body)
			require.NoError(t, err)
			require.Error(t, sc.check(ex))
		})
	}
}
