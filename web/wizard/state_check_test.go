package wizard

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
)

// The state step asks the bucket before it lets the wizard go on (the
// check itself, s3probe, is tested against S3 on loopback): what is wrong
// comes back beside its field, refused keys are dropped and not echoed,
// and a bucket that holds state leads to the next step. Local state is
// not checked.
func TestStateStepChecksTheBucket(t *testing.T) {
	form := url.Values{"state.bucket": {"acme-state"}, "state.region": {"fsn1"}, "state.endpoint": {"https://fsn1.your-objectstorage.com"},
		"state.key_prefix": {"openova/acme"}, "state.access_key": {"AK-canary"}, "state.secret_key": {"SK-canary"}}
	cases := []struct {
		name          string
		form          url.Values
		field, reason string
		code          int
		asked         bool
	}{
		{name: "a bucket that holds state", form: form, code: http.StatusSeeOther, asked: true},
		{name: "no such bucket", form: form, field: "state.bucket", reason: "the endpoint has no bucket acme-state: create it", code: http.StatusUnprocessableEntity, asked: true},
		{name: "refused keys", form: form, field: "state.secret_key", reason: "the secret key does not belong to this access key", code: http.StatusUnprocessableEntity, asked: true},
		{name: "local state is not checked", form: url.Values{"state.local": {"on"}}, code: http.StatusSeeOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked *bootstrap.StateBackend
			drafts := &Drafts{}
			d, unlock := drafts.Lock("")
			for _, s := range steps {
				if s.ID == StepState {
					break
				}
				d.Done[s.ID] = true
			}
			unlock()
			h := &Handler{Drafts: drafts, Bootstraps: finished{}, CheckState: func(_ context.Context, b bootstrap.StateBackend) (string, string) {
				asked = &b
				return tc.field, tc.reason
			}}
			e := echo.New()
			h.Routes(e)
			rec := stepPoster(e)(StepState, tc.form)
			require.Equal(t, tc.code, rec.Code, rec.Body.String())
			require.Equal(t, tc.asked, asked != nil)
			if asked != nil {
				require.Equal(t, "acme-state", asked.Bucket)
				require.Equal(t, "SK-canary", asked.SecretKey.Reveal())
			}
			if tc.field == "" {
				return
			}
			body := rec.Body.String()
			require.Contains(t, body, tc.reason)
			require.NotContains(t, body, "SK-canary", "no secret echoed")
			d, unlock = drafts.Lock("")
			defer unlock()
			require.False(t, d.Done[StepState])
			if tc.field == "state.secret_key" {
				require.Empty(t, d.State.SecretKey, "refused keys are dropped")
				require.Empty(t, d.State.AccessKey)
			} else {
				require.Equal(t, "SK-canary", d.State.SecretKey, "keys the bucket took are kept")
			}
		})
	}
}
