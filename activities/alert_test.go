package activities

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/dev/testenv"
)

func TestRaiseAlert(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 2, 3, 0, time.UTC)
	in := RaiseAlertInput{Platform: "acme", Namespace: "openova-system", Component: "backstage",
		FromVersion: "v1.30.0", ToVersion: "v1.31.0", Reason: "backstage not Ready by 10:02:03 UTC: Ready=False Unavailable", At: at}
	cases := []struct {
		name      string
		status    int
		wantErr   string
		retryable bool
	}{
		{name: "both receivers get the alert", status: http.StatusOK},
		{name: "a 5xx is retried", status: http.StatusServiceUnavailable, wantErr: "HTTP 503", retryable: true},
		{name: "a 4xx is not", status: http.StatusBadRequest, wantErr: "refused the alert: HTTP 400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := testenv.NewReceiver(t, tc.status)
			a := &Alerts{AlertmanagerURL: r.URL + "/", WebhookURL: r.URL + "/hooks/openova"}
			res, err := run[RaiseAlertResult](t, a, a.RaiseAlert, in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				var app *temporal.ApplicationError
				if errors.As(err, &app) {
					require.Equal(t, !tc.retryable, app.NonRetryable())
				} else {
					require.True(t, tc.retryable)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, RaiseAlertResult{Alertmanager: true, Webhook: true}, res)

			var alerts []struct {
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
				StartsAt    time.Time         `json:"startsAt"`
			}
			require.Len(t, r.Bodies("/api/v2/alerts"), 1)
			require.NoError(t, json.Unmarshal([]byte(r.Bodies("/api/v2/alerts")[0]), &alerts))
			require.Len(t, alerts, 1)
			require.Equal(t, AlertName, alerts[0].Labels["alertname"])
			require.Equal(t, "backstage", alerts[0].Labels["component"])
			require.Equal(t, "v1.30.0", alerts[0].Labels["from_version"])
			require.Equal(t, "v1.31.0", alerts[0].Labels["to_version"])
			require.Contains(t, alerts[0].Annotations["description"], "Ready=False Unavailable")
			require.True(t, at.Equal(alerts[0].StartsAt))

			var hook WebhookAlert
			require.Len(t, r.Bodies("/hooks/openova"), 1)
			require.NoError(t, json.Unmarshal([]byte(r.Bodies("/hooks/openova")[0]), &hook))
			require.Equal(t, WebhookAlert{Event: "upgrade.rolledBack", Platform: "acme", Namespace: "openova-system", Component: "backstage",
				FromVersion: "v1.30.0", ToVersion: "v1.31.0", Reason: in.Reason, At: at}, hook)
			keys := r.IdempotencyKeys()
			require.Len(t, keys, 1)
			require.True(t, strings.Count(keys[0], "/") >= 2, keys[0])
		})
	}
}

func TestRaiseAlertWithNoReceivers(t *testing.T) {
	a := &Alerts{}
	res, err := run[RaiseAlertResult](t, a, a.RaiseAlert, RaiseAlertInput{Component: "x"})
	require.NoError(t, err)
	require.Equal(t, RaiseAlertResult{}, res)
}
