package secret

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRedact puts a private key, in one of the spellings an error message
// or a payload carries it, into free text (a cloud API's error, tofu's
// output) and redacts it. It holds: no recognisable piece of the key is
// left, whatever text surrounds it (set off by a space, as a word), and
// Redact changes nothing in text that holds no key material.
func FuzzRedact(f *testing.F) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(f, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(f, err)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	body := strings.Split(key, "\n")[1] // the first 64 characters of the key's DER
	jsonKey, _ := json.Marshal(key)
	const jwtText = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
	forms := []struct{ text, leak string }{
		{key, body},
		{b64, b64[len(b64)/2-24 : len(b64)/2+24]},
		{strings.TrimRight(b64, "="), b64[len(b64)/2-24 : len(b64)/2+24]},
		{kubeconfig(key), b64[len(b64)/2-24 : len(b64)/2+24]},
		{base64.StdEncoding.EncodeToString([]byte(kubeconfig(key))), b64[len(b64)/2-24 : len(b64)/2+24]},
		{string(jsonKey[1 : len(jsonKey)-1]), body},
		{jwtText, "eyJzdWIiOiJhZG1pbiIsImV4cCI6MTcwMDAwMDAwMH0"},
		{strings.TrimSuffix(key, "-----END PRIVATE KEY-----\n"), body}, // cut by a length limit
	}
	f.Add("apply failed: var client_ca_key =", "was refused", uint8(0))
	f.Add(`{"ServerCAKey":`, `}`, uint8(1))
	f.Add("Error: invalid", "", uint8(3))
	f.Add("", "", uint8(4))
	f.Add("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", uint8(5))
	f.Add("Authorization: Bearer", "", uint8(6))
	f.Add("install grafana v11.3.0: the token field is required", "", uint8(255))
	f.Fuzz(func(t *testing.T, prefix, suffix string, form uint8) {
		if int(form) >= len(forms) {
			text := prefix + " " + suffix
			if !Contains(text) {
				require.Equal(t, text, Redact(text), "text without key material is kept as it was")
			}
			return
		}
		fm := forms[form]
		out := Redact(prefix + " " + fm.text + " " + suffix)
		require.NotContains(t, out, fm.leak, "form %d leaks", form)
	})
}
