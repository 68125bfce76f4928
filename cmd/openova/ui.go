package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/catalogindex"
	"github.com/openova-io/core/cloud"
	"github.com/openova-io/core/cloud/cloudapi"
	"github.com/openova-io/core/cloud/s3probe"
	"github.com/openova-io/core/netguard"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/web"
	"github.com/openova-io/core/web/audit"
	"github.com/openova-io/core/web/auth"
	"github.com/openova-io/core/web/components"
	"github.com/openova-io/core/web/dashboard"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/pages"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/web/settings"
	"github.com/openova-io/core/web/upgrades"
	"github.com/openova-io/core/web/wizard"
	"github.com/openova-io/core/web/wizard/engine"
	"github.com/openova-io/core/worker"
)

// newAuth loads sign-in: the admin password's hash (from hashFile when
// set, else generated and printed once on first start into the data dir)
// and the session key.
func newAuth(ctx context.Context, dataDir, hashFile string, https bool, of oidcFlags, fetch netguard.Policy, log *slog.Logger) (*auth.Auth, error) {
	var hash string
	var err error
	if hashFile != "" {
		hash, err = auth.ReadAdminHash(hashFile)
	} else {
		hash, err = auth.EnsureAdmin(dataDir, log)
	}
	if err != nil {
		return nil, fmt.Errorf("sign-in: %w", err)
	}
	sessions, err := auth.LoadSessions(dataDir, https)
	if err != nil {
		return nil, fmt.Errorf("sign-in: %w", err)
	}
	a := auth.New(sessions, hash, log)
	if of.issuer != "" {
		secret, err := os.ReadFile(of.secretFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		a.OIDC, err = auth.NewOIDC(dctx, auth.OIDCConfig{Issuer: of.issuer, ClientID: of.clientID, ClientSecret: strings.TrimSpace(string(secret)),
			RedirectURL: of.redirectURL, Allow: of.allow(), HTTP: fetch.Client(30 * time.Second)})
		if err != nil {
			return nil, err
		}
		log.Info("sign-in with an OpenID provider", "issuer", of.issuer, "clientID", of.clientID,
			"allowedUsers", of.allowedUsers, "allowedEmailDomains", of.allowedDomains, "allowedGroups", of.allowedGroups)
	}
	return a, nil
}

// listTTL is how long a visibility list serves identical page loads: a
// page is at most this much behind, live operations stream anyway.
const listTTL = time.Second

// auditPages is the audit view, in both modes; its CLI command names the
// Temporal frontend openova uses.
func auditPages(eng *worker.Engine, cfg worker.Config) web.Pages {
	bootstrap := cfg.Mode == worker.ModeBootstrap
	// The list shares its decoded pages itself (ListTTL); the steps it
	// shows read shared lists.
	tc := &operations.Coalesced{Client: eng.Client(), TTL: listTTL}
	return &audit.Handler{Temporal: eng.Client(), Snapshots: &operations.Ops{Client: tc},
		Decoder: audit.Decoder{Data: eng.DataConverter(), Failure: eng.FailureConverter(), SecretFields: worker.SecretFields()},
		Shell:   pages.Shell{Bootstrap: bootstrap}, Address: temporalAddr(cfg), Namespace: cfg.Namespace, Now: time.Now,
		ListTTL: listTTL}
}

// stateCheckTimeout bounds each request of the state step's bucket check.
const stateCheckTimeout = 20 * time.Second

// wizardPages is the bootstrap wizard: it starts and follows Bootstrap
// workflows through the engine's client and checks credentials with the
// providers' APIs (at the endpoints the flags name).
func wizardPages(cfg worker.Config, deps *worker.BootstrapDeps, missing, tofu string) func(context.Context, *worker.Engine) ([]web.Pages, error) {
	return func(_ context.Context, eng *worker.Engine) ([]web.Pages, error) {
		locate := func(ctx context.Context, p terraform.Provider, creds map[string]string) ([]cloud.Location, error) {
			return cloudapi.Locations(ctx, p, creds, deps.Endpoints)
		}
		zone := func(ctx context.Context, p terraform.Provider, creds map[string]string, name string) error {
			return cloudapi.CheckZone(ctx, p, creds, name, deps.Endpoints)
		}
		state := func(ctx context.Context, b bootstrap.StateBackend) (string, string) {
			err := s3probe.Check(ctx, s3probe.Bucket{Endpoint: b.Endpoint, Region: b.Region, Bucket: b.Bucket, KeyPrefix: b.KeyPrefix,
				AccessKey: b.AccessKey.Reveal(), SecretKey: b.SecretKey.Reveal()}, cfg.Fetch.Client(stateCheckTimeout))
			var p *s3probe.Problem
			switch {
			case errors.As(err, &p):
				return p.Field, p.Reason
			case err != nil:
				return s3probe.FieldEndpoint, err.Error()
			}
			return "", ""
		}
		runs := &engine.Temporal{Client: eng.Client(), Namespace: cfg.Namespace, Data: eng.DataConverter()}
		return []web.Pages{&wizard.Handler{Bootstraps: runs, Changes: runs.Changes(), Platforms: runs,
			Locations: locate, CheckZone: zone, CheckState: state, Drafts: &wizard.Drafts{}, Shell: pages.Shell{Bootstrap: true}, Missing: missing, Tofu: tofu, Fetch: cfg.Fetch,
			Shown: wizard.ShownFiles{Dir: filepath.Join(cfg.DataDir, "shown")}, StateKeys: stateKeys(cfg.CodecKeyFile), DataDir: cfg.DataDir,
			Restore: restoreBundle(cfg.CodecKeyFile), Restored: &wizard.RestoredFiles{Dir: filepath.Join(cfg.DataDir, "restored")}}}, nil
	}
}

// managerPages builds the Lifecycle Manager's pages: a watch cache of the
// namespace's platforms (running until ctx ends) and the engine's client,
// whose data converter decodes what the pages show.
func managerPages(rc *rest.Config, m managerFlags, fetch netguard.Policy) func(context.Context, *worker.Engine) ([]web.Pages, error) {
	return func(ctx context.Context, eng *worker.Engine) ([]web.Pages, error) {
		store, run, err := platforms.New(rc, m.namespace, fetch.Client(catalogindex.IndexTimeout))
		if err != nil {
			return nil, err
		}
		go func() { _ = run(ctx) }()
		store.Edits = &operations.Edits{Client: eng.Client(), Now: time.Now}
		ops := &operations.Ops{Client: &operations.Coalesced{Client: eng.Client(), TTL: listTTL}}
		shell := pages.Shell{}
		return []web.Pages{
			&dashboard.Handler{Platforms: store, Operations: ops, Shell: shell},
			&components.Handler{Platforms: store, Operations: ops, Shell: shell},
			&upgrades.Handler{Platforms: store, Operations: ops, Schedules: &operations.Schedules{Client: eng.Client().ScheduleClient(), TTL: listTTL}, Shell: shell, Now: time.Now},
			&settings.Handler{Platforms: store, Shell: shell, Flags: settings.Flags{CheckEvery: m.checkEvery, ReadyTimeout: m.readyTimeout,
				AlertmanagerURL: m.alertmanager, WebhookURL: m.webhook}, Fetch: fetch},
			operations.Routes{Ops: ops},
		}, nil
	}
}
