package secret

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func ecKeyPEM(t *testing.T, typ string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func kubeconfig(key string) string {
	return "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: c\n" +
		"users:\n- name: admin\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: " +
		base64.StdEncoding.EncodeToString([]byte(key)) + "\n"
}

func TestContains(t *testing.T) {
	key := ecKeyPEM(t, "PRIVATE KEY")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"PKCS#8 PEM", key, true},
		{"EC PEM", ecKeyPEM(t, "EC PRIVATE KEY"), true},
		{"OpenSSH PEM", ecKeyPEM(t, "OPENSSH PRIVATE KEY"), true},
		{"PEM inside text", "apply failed: var client_ca_key = " + key + " was refused", true},
		{"PEM head only (cut by a length limit)", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow", true},
		{"base64 PEM ([]byte field)", b64(key), true},
		{"kubeconfig with client key", kubeconfig(key), true},
		{"kubeconfig as bytes (base64 twice)", b64(kubeconfig(key)), true},
		{"kubeconfig with a token", "apiVersion: v1\nusers:\n- name: a\n  user:\n    token: abc123def\n", true},
		{"JWT", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl", true},
		{"certificate (public)", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: bytes.Repeat([]byte{1}, 300)})), false},
		{"SSH public key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@acme", false},
		{"plain words", "install grafana v11.3.0 in acme: the token field is required", false},
		{"long base64 of nothing secret", b64(strings.Repeat("hello world ", 40)), false},
		{"empty", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, Contains(c.in))
		})
	}
}

func TestRedactKeepsTheRest(t *testing.T) {
	key := ecKeyPEM(t, "PRIVATE KEY")
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	for _, in := range []string{
		"apply failed: client_ca_key = " + key + " was refused",
		"apply failed: client_ca_key = " + b64 + " was refused",
		"apply failed: client_ca_key = " + strings.TrimSuffix(key, "-----END PRIVATE KEY-----\n") + " was refused",
	} {
		out := Redact(in)
		require.False(t, Contains(out), out)
		require.True(t, strings.HasPrefix(out, "apply failed: client_ca_key = "+Masked), out)
		require.NotContains(t, out, "MIG")
	}
	require.Equal(t, "nothing here", Redact("nothing here"))
}

func TestTextNeverPrints(t *testing.T) {
	type creds struct {
		Token Text
		Key   Bytes
	}
	v := creds{Token: "canary-token-1", Key: Bytes("canary-key-2")}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "token", v.Token, "key", v.Key)
	for _, out := range []string{
		fmt.Sprint(v.Token), fmt.Sprintf("%s %q %x %v %+v %#v", v.Token, v.Token, v.Token, v, v, v),
		fmt.Sprintf("%s %v %x", v.Key, v.Key, v.Key), logged.String(),
	} {
		require.NotContains(t, out, "canary", out)
	}
	require.Contains(t, fmt.Sprint(v.Token), Masked)
	require.Empty(t, fmt.Sprint(Text("")), "unset stays empty")

	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{"Token":"canary-token-1","Key":"`+base64.StdEncoding.EncodeToString([]byte("canary-key-2"))+`"}`, string(b),
		"the payload carries the value (the codec encrypts it)")
	var back creds
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, v, back)
	require.Equal(t, "canary-token-1", back.Token.Reveal())
}

func TestFields(t *testing.T) {
	type inner struct {
		CAKey   Text `json:"ca_key"`
		Public  string
		Tokens  map[string]Text
		skipped Text //nolint:unused // unexported: JSON skips it
	}
	type Embedded struct{ Password Text }
	type outer struct {
		Embedded
		In      *inner
		List    []inner
		Kube    Bytes
		Ignored Text `json:"-"`
		Name    string
		Self    *outer
	}
	require.Equal(t, []string{"Kube", "Password", "Tokens", "ca_key"}, Fields(reflect.TypeFor[outer](), nil))
	require.True(t, Is(reflect.TypeFor[map[string]Text]()))
	require.False(t, Is(reflect.TypeFor[map[string]string]()))
	_ = inner{skipped: ""}
}
