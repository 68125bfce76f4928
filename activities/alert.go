package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Alerts tells people that something went wrong without them watching:
// Alertmanager's v2 API and an optional generic webhook. (The Kubernetes
// Event goes through Kubernetes.RecordEvent.) Both receivers deduplicate a
// retried activity: Alertmanager by the alert's labels, the webhook by the
// Idempotency-Key header.
type Alerts struct {
	HTTP *http.Client
	// AlertmanagerURL is Alertmanager's base URL (…:9093); empty: not used.
	AlertmanagerURL string
	// WebhookURL receives a JSON document per alert; empty: not used.
	WebhookURL string
}

// AlertName is the alertname of upgrade rollbacks in Alertmanager.
const AlertName = "OpenovaUpgradeRolledBack"

// RaiseAlertInput describes a failed upgrade that was rolled back.
type RaiseAlertInput struct {
	Platform    string
	Namespace   string
	Component   string
	FromVersion string
	ToVersion   string
	Reason      string
	// At is when the rollout failed (from the workflow, so retries agree).
	At time.Time
}

// RaiseAlertResult says which receivers took the alert.
type RaiseAlertResult struct {
	Alertmanager bool
	Webhook      bool
}

// WebhookAlert is the document the generic webhook receives.
type WebhookAlert struct {
	Event       string    `json:"event"`
	Platform    string    `json:"platform"`
	Namespace   string    `json:"namespace"`
	Component   string    `json:"component"`
	FromVersion string    `json:"fromVersion"`
	ToVersion   string    `json:"toVersion"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

// RaiseAlert posts the alert to every configured receiver.
func (a *Alerts) RaiseAlert(ctx context.Context, in RaiseAlertInput) (RaiseAlertResult, error) {
	var res RaiseAlertResult
	summary := fmt.Sprintf("%s upgrade %s → %s failed and was rolled back", in.Component, in.FromVersion, in.ToVersion)
	if a.AlertmanagerURL != "" {
		body := []map[string]any{{
			"labels": map[string]string{
				"alertname": AlertName, "severity": "warning",
				"platform": in.Platform, "namespace": in.Namespace, "component": in.Component,
				"from_version": in.FromVersion, "to_version": in.ToVersion,
			},
			"annotations": map[string]string{"summary": summary, "description": in.Reason},
			"startsAt":    in.At.UTC().Format(time.RFC3339),
		}}
		// Errors are returned as they are: wrapping an ApplicationError would
		// hide whether it may be retried.
		if err := a.post(ctx, "alertmanager", strings.TrimSuffix(a.AlertmanagerURL, "/")+"/api/v2/alerts", body, ""); err != nil {
			return res, err
		}
		res.Alertmanager = true
	}
	if a.WebhookURL != "" {
		info := activity.GetInfo(ctx)
		key := info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID
		doc := WebhookAlert{Event: "upgrade.rolledBack", Platform: in.Platform, Namespace: in.Namespace, Component: in.Component,
			FromVersion: in.FromVersion, ToVersion: in.ToVersion, Reason: in.Reason, At: in.At.UTC()}
		if err := a.post(ctx, "webhook", a.WebhookURL, doc, key); err != nil {
			return res, err
		}
		res.Webhook = true
	}
	return res, nil
}

func (a *Alerts) post(ctx context.Context, receiver, url string, body any, idempotencyKey string) error {
	data, err := json.Marshal(body)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(receiver+": encode alert: "+err.Error(), ErrAlertRejected, nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: URL %s is not valid", receiver, redactURL(url)), ErrAlertRejected, nil)
	}
	req.Header.Set("Content-Type", "application/json")
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: post to %s: %v", receiver, redactURL(url), unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s %s refused the alert: HTTP %d", receiver, redactURL(url), resp.StatusCode), ErrAlertRejected, nil)
	default:
		return fmt.Errorf("%s: post to %s: HTTP %d", receiver, redactURL(url), resp.StatusCode)
	}
}
