package recovery

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/bootstrap"
	"github.com/openova-io/core/secret"
)

const passphrase = secret.Text("correct horse battery staple")

func sample() Bundle {
	return Bundle{Organization: "acme",
		Regions: []Region{
			{Name: "fsn1", Kubeconfig: secret.Bytes("apiVersion: v1\nkind: Config\n# canary-kubeconfig-fsn1\n"), CA: "-----BEGIN CERTIFICATE-----\nfsn1\n-----END CERTIFICATE-----\n"},
			{Name: "hel1", Kubeconfig: secret.Bytes("apiVersion: v1\nkind: Config\n# canary-kubeconfig-hel1\n"), CA: "-----BEGIN CERTIFICATE-----\nhel1\n-----END CERTIFICATE-----\n"},
		},
		StateKey: "canary-state-key", StateKeyID: "0011223344556677", GiteaToken: "canary-gitea-token",
		Platform: bootstrap.Input{Organization: "acme", Domain: "acme.example", Regions: []bootstrap.Region{{Name: "fsn1", Workers: 2}, {Name: "hel1"}},
			State: bootstrap.StateBackend{Bucket: "acme-state"}}}
}

func sealed(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Seal(&buf, sample(), passphrase))
	return buf.Bytes()
}

// A sealed bundle is armored age with none of its contents in clear, and
// opens with its passphrase to what went in.
func TestSealThenOpen(t *testing.T) {
	b := sealed(t)
	require.True(t, bytes.HasPrefix(b, []byte("-----BEGIN AGE ENCRYPTED FILE-----")))
	for _, canary := range []string{"canary-kubeconfig-fsn1", "canary-state-key", "canary-gitea-token", "acme"} {
		require.NotContains(t, string(b), canary)
	}
	got, err := Open(bytes.NewReader(b), passphrase)
	require.NoError(t, err)
	require.Equal(t, sample(), got)

	// The platform goes in without its secrets, whatever the caller gave.
	withSecrets := sample()
	withSecrets.Platform.Credentials = map[string]string{"token": "canary-cloud-token"}
	withSecrets.Platform.State.SecretKey = "canary-bucket-key"
	var buf bytes.Buffer
	require.NoError(t, Seal(&buf, withSecrets, passphrase))
	got, err = Open(&buf, passphrase)
	require.NoError(t, err)
	require.Equal(t, sample().Platform, got.Platform)
}

// A wrong passphrase and a damaged or foreign file each get their own
// clear error, and nothing of the bundle.
func TestOpenRefusesWhatItCannotOpen(t *testing.T) {
	b := sealed(t)
	flipped := bytes.Clone(b)
	mid := len(flipped) / 2 // inside the armored payload
	if flipped[mid] == 'A' {
		flipped[mid] = 'B'
	} else {
		flipped[mid] = 'A'
	}
	cases := []struct {
		name       string
		data       []byte
		passphrase secret.Text
		err        error
	}{
		{"wrong passphrase", b, "correct horse battery stapler", ErrWrongPassphrase},
		{"empty passphrase", b, "", ErrWrongPassphrase},
		{"a byte changed", flipped, passphrase, ErrDamaged},
		{"cut short", b[:len(b)*2/3], passphrase, ErrDamaged},
		{"not a bundle", []byte("apiVersion: v1\nkind: Config\n"), passphrase, ErrDamaged},
		{"empty file", nil, passphrase, ErrDamaged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Open(bytes.NewReader(tc.data), tc.passphrase)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, Bundle{}, got)
		})
	}
}

func TestSealRefusesBadInput(t *testing.T) {
	var buf bytes.Buffer
	require.ErrorContains(t, Seal(&buf, sample(), "short"), "the passphrase has 5 characters: choose one of at least 12")
	noRegions := sample()
	noRegions.Regions = nil
	require.ErrorContains(t, Seal(&buf, noRegions, passphrase), "at least one region")
	badName := sample()
	badName.Regions[0].Name = "../etc"
	require.ErrorContains(t, Seal(&buf, badName, passphrase), `region "../etc" of the bundle needs a plain name`)
	require.Zero(t, buf.Len(), "nothing written")
	require.True(t, strings.HasPrefix(ErrWrongPassphrase.Error(), "the passphrase does not open this bundle"))
}
