package fakehcloud

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// DefaultToken is the token New accepts when Options.Token is empty. It
// has 64 characters because the provider rejects tokens of other lengths.
const DefaultToken = "fakehcloud-token-00000000000000000000000000000000000000000000000"

// maxBody bounds a request body; the API's own limit (user_data is at most
// 32 KiB) is far below it.
const maxBody = 1 << 20

// Options configure a fake. The zero value is usable.
type Options struct {
	// Token is the bearer token requests must carry; DefaultToken if empty.
	Token string
	// ReadOnlyToken, if set, is a second token, as a project's Read-only
	// API token: it may read, and a request that would change anything is
	// answered 403 forbidden.
	ReadOnlyToken string
	// PublicIPv4 chooses the public IPv4 of a new server, load balancer or
	// Primary IP (kind is KindServer, KindLoadBalancer or KindPrimaryIP). If it is nil or returns "",
	// load balancers get 127.0.0.1, so tests can reach "the load balancer"
	// on loopback, and servers get addresses from 203.0.113.0/24.
	PublicIPv4 func(kind, name string) string
	// NoPrimaryIPs are locations (by name) where Primary IPs are not
	// offered: GET /pricing lists no Primary IP price there and creating
	// one there is invalid_input on location, so a test can show that
	// openova refuses such a region before any plan.
	NoPrimaryIPs []string
	// ActionRunningReports is how many times an action is reported as
	// running, counting the response that creates it, before it reports
	// success. 0 means actions are already finished when created.
	ActionRunningReports int
	// DefaultLocation is where servers without a location are created;
	// "fsn1" if empty.
	DefaultLocation string
	// Zones are the DNS zones (names like "acme.example") that exist from
	// the start, in primary mode, as a domain delegated to Hetzner before
	// any run does: the fake serves zones to read and RRSets to manage in
	// them, not zones to create. A name the API would refuse panics.
	Zones []string
	// OnExchange, if set, sees every request and response after it is
	// answered (the package's tests validate them against the OpenAPI
	// description with it). It runs on the request's goroutine.
	OnExchange func(Exchange)
	// Logf, if set, gets one line per request: method, path, status.
	// Headers, and so the token, are never logged.
	Logf func(format string, args ...any)
}

// Exchange is one request and its response, as OnExchange sees it.
type Exchange struct {
	Method      string
	Path        string // the request path, below URL()
	RawQuery    string
	Route       string // the matched route pattern, "" if none matched
	RequestBody []byte
	Status      int
	Header      http.Header // of the response
	Body        []byte      // of the response
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	http *httptest.Server

	mu           sync.Mutex
	st           *state
	faults       map[string][]apiError // by "METHOD pattern"
	actionFaults map[string][]apiError // by action command
	log          observations
}

// New starts a fake on 127.0.0.1. Close it when done.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.DefaultLocation == "" {
		opts.DefaultLocation = "fsn1"
	}
	s := &Server{
		opts:         opts,
		st:           newState(),
		faults:       map[string][]apiError{},
		actionFaults: map[string][]apiError{},
		log:          newObservations(),
	}
	for _, name := range opts.Zones {
		s.st.addZone(name)
	}
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rt *route
		if rest, ok := strings.CutPrefix(r.URL.Path, "/v1/"); ok {
			rt = match(r, rest)
		}
		s.serve(rt, w, r)
	}))
	return s
}

// URL is the API endpoint to configure clients with, like
// https://api.hetzner.cloud/v1: hcloud-go appends paths such as /servers
// to it.
func (s *Server) URL() string { return s.http.URL + "/v1" }

// Token is the bearer token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// Close stops the fake.
func (s *Server) Close() { s.http.Close() }

// call is one request as a handler sees it. Handlers set kind and name to
// say which resource the request concerned, for the request log.
type call struct {
	r    *http.Request
	body []byte
	kind string
	name string
}

// decode reads the JSON request body into v, answering json_error as the
// API does for a body it cannot parse.
func (c *call) decode(v any) error {
	if len(c.body) == 0 {
		return errJSON("request body is empty")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errJSON(err.Error())
	}
	return nil
}

// serve answers one request: authentication, injected faults, the route's
// handler under the state lock, then the response and the observers.
func (s *Server) serve(rt *route, w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	c := &call{r: r, body: body}
	var out any
	var err error
	status := http.StatusOK
	readOnly := s.readOnly(r)
	switch {
	case !readOnly && !s.authorized(r):
		err = errUnauthorized()
	case readErr != nil:
		err = errJSON(readErr.Error())
	case rt == nil:
		err = errNotFound("route")
	case readOnly && r.Method != http.MethodGet:
		err = newError("forbidden", "insufficient permissions for this request: the token is read-only")
	default:
		status = rt.status
		out, err = s.handle(rt, c)
	}
	resp, status := encodeResponse(out, err, status)
	if resp != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp)

	pattern := ""
	if rt != nil {
		pattern = rt.Pattern
	}
	s.observe(r, pattern, c, status)
	if s.opts.Logf != nil {
		s.opts.Logf("fakehcloud: %s %s -> %d", r.Method, r.URL.Path, status)
	}
	if s.opts.OnExchange != nil {
		s.opts.OnExchange(Exchange{
			Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/v1"), RawQuery: r.URL.RawQuery, Route: pattern,
			RequestBody: body, Status: status, Header: w.Header().Clone(), Body: resp,
		})
	}
}

// handle runs a route's handler, or the fault queued for it, under the
// state lock. A panic in a handler is a bug in the fake: it is answered as
// server_error rather than leaving the lock held and every later request
// hanging.
func (s *Server) handle(rt *route, c *call) (out any, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, errServer(fmt.Sprintf("fakehcloud: %s %s panicked: %v", rt.Method, rt.Pattern, p))
		}
	}()
	if fault, ok := s.takeFault(rt); ok {
		return nil, &fault
	}
	return rt.handle(s, c)
}

// readOnly reports whether the request carries the read-only token.
func (s *Server) readOnly(r *http.Request) bool {
	if s.opts.ReadOnlyToken == "" {
		return false
	}
	want := "Bearer " + s.opts.ReadOnlyToken
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1
}

// authorized compares the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	want := "Bearer " + s.opts.Token
	got := r.Header.Get("Authorization")
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// encodeResponse turns a handler's result into the body and status to
// send. An error that is not an apiError is a bug in the fake and is
// answered like the API answers its own: 500 server_error.
func encodeResponse(out any, err error, status int) ([]byte, int) {
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: http.StatusInternalServerError, code: "server_error", message: err.Error()}
		}
		out, status = ae.response(), ae.status
	}
	if out == nil {
		return nil, status
	}
	b, mErr := json.Marshal(out)
	if mErr != nil {
		b, _ = json.Marshal(errServer(fmt.Sprintf("encode response: %v", mErr)).response())
		return b, http.StatusInternalServerError
	}
	return b, status
}
