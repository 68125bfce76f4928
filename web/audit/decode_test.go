package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/openova-io/core/worker/codec"
)

const pemKey = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMBLXWouMkORtMwb4zcLG6nYpcy0apD9\n-----END EC PRIVATE KEY-----\n"

func TestPayloadMasks(t *testing.T) {
	d := Decoder{Data: converter.GetDefaultDataConverter(), SecretFields: []string{"AdminKey"}}
	cases := []struct {
		name   string
		value  any
		hidden string
		shown  string
	}{
		{"a field of a secret type, by its name in SecretFields", map[string]any{"AdminKey": "opaque-123", "Admin": "cert"}, "opaque-123", `"Admin": "cert"`},
		{"a field named like a secret", map[string]any{"client_ca_key": "opaque-456", "region": "fsn1"}, "opaque-456", `"region": "fsn1"`},
		{"key material under any name", map[string]any{"Note": pemKey, "Steps": 2}, "MHcCAQEE", `"Steps": 2`},
		{"key material in a list", []any{"fine", pemKey}, "PRIVATE KEY", `"fine"`},
		{"key material as the whole payload", pemKey, "PRIVATE KEY", Masked},
		{"Helm values", map[string]any{"Values": map[string]any{"adminUser": "root"}}, "root", Masked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := converter.GetDefaultDataConverter().ToPayload(c.value)
			require.NoError(t, err)
			out := d.Payload(p)
			require.NotContains(t, out, c.hidden)
			require.Contains(t, out, c.shown)
		})
	}
}

func TestFailureMessageRedactsKeys(t *testing.T) {
	fc := temporal.GetDefaultFailureConverter()
	d := Decoder{Data: converter.GetDefaultDataConverter(), Failure: fc}
	f := fc.ErrorToFailure(temporal.NewApplicationError("tofu apply: invalid value "+pemKey+" for client_ca_key", "TerraformFailed", errors.New("cause")))
	out := d.FailureMessage(f)
	require.NotContains(t, out, "PRIVATE KEY")
	require.NotContains(t, out, "MHcCAQEE")
	require.True(t, strings.HasPrefix(out, "tofu apply: invalid value "+Masked), out)
}

// A payload the engine cannot read says why: not encrypted by openova (its
// worker refused it), or sealed with another key.
func TestPayloadSaysWhyItCannotBeShown(t *testing.T) {
	ring := func() *codec.Keyring {
		k, err := codec.NewKeyring(bytes.Repeat([]byte{byte(len(t.Name()))}, 32))
		require.NoError(t, err)
		return k
	}
	d := Decoder{Data: codec.New(ring()).DataConverter()}
	clear, err := converter.GetDefaultDataConverter().ToPayload(map[string]any{"Organization": "acme"})
	require.NoError(t, err)
	require.Equal(t, "(not encrypted by openova's codec, so its worker refused it)", d.Payload(clear))

	other, err := codec.NewKeyring(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	sealed, err := codec.New(other).DataConverter().ToPayload("x")
	require.NoError(t, err)
	require.Equal(t, "(cannot be decoded with this engine's key)", d.Payload(sealed))
}
