package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

func newKey(t testing.TB) []byte {
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

func payload(t testing.TB, v any) *commonpb.Payload {
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	require.NoError(t, err)
	return p
}

func TestRoundTripHidesPlaintext(t *testing.T) {
	kr, err := NewKeyring(newKey(t))
	require.NoError(t, err)
	c := New(kr)
	in := payload(t, map[string]string{"token": "s3cr3t-canary"})
	enc, err := c.Encode([]*commonpb.Payload{in})
	require.NoError(t, err)
	require.Equal(t, EncodingEncrypted, string(enc[0].Metadata[MetadataEncoding]))
	require.Equal(t, kr.ActiveKeyID(), string(enc[0].Metadata[MetadataKeyID]))
	require.False(t, bytes.Contains(enc[0].Data, []byte("s3cr3t-canary")))
	require.False(t, bytes.Contains(enc[0].Data, []byte("json/plain")), "metadata is sealed too")

	dec, err := c.Decode(enc)
	require.NoError(t, err)
	require.Equal(t, in.Data, dec[0].Data)
	require.Equal(t, in.Metadata, dec[0].Metadata)
}

// Rotation: a key appended to the file encrypts new payloads, and payloads
// sealed with the old key stay readable.
func TestRotationKeepsOldPayloadsReadable(t *testing.T) {
	oldKey, newKeyB := newKey(t), newKey(t)
	oldRing, err := NewKeyring(oldKey)
	require.NoError(t, err)
	sealedOld, err := New(oldRing).Encode([]*commonpb.Payload{payload(t, "before rotation")})
	require.NoError(t, err)

	rotated, err := NewKeyring(oldKey, newKeyB)
	require.NoError(t, err)
	require.Equal(t, KeyID(newKeyB), rotated.ActiveKeyID())
	c := New(rotated)
	dec, err := c.Decode(sealedOld)
	require.NoError(t, err)
	var s string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(dec[0], &s))
	require.Equal(t, "before rotation", s)

	sealedNew, err := c.Encode([]*commonpb.Payload{payload(t, "after")})
	require.NoError(t, err)
	require.Equal(t, KeyID(newKeyB), string(sealedNew[0].Metadata[MetadataKeyID]))

	_, err = New(oldRing).Decode(sealedNew)
	require.ErrorContains(t, err, "not in the key file: add that key back")
}

// Decode opens what the codec sealed and refuses everything else but the
// payloads that carry nothing: a clear input would reach the worker as if
// openova had sent it.
func TestDecode(t *testing.T) {
	kr, err := NewKeyring(newKey(t))
	require.NoError(t, err)
	c := New(kr)
	seal := func(v any) *commonpb.Payload {
		enc, err := c.Encode([]*commonpb.Payload{payload(t, v)})
		require.NoError(t, err)
		return enc[0]
	}
	tampered := seal("x")
	tampered.Data[len(tampered.Data)-1] ^= 1
	short := seal("x")
	short.Data = short.Data[:3]
	otherRing, err := NewKeyring(newKey(t))
	require.NoError(t, err)
	foreign, err := New(otherRing).Encode([]*commonpb.Payload{payload(t, "x")})
	require.NoError(t, err)
	clearNil := payload(t, nil)
	require.Equal(t, "binary/null", string(clearNil.Metadata[MetadataEncoding]))

	cases := []struct {
		name string
		in   []*commonpb.Payload
		want []any // decoded values, nil for a nil payload
		err  string
	}{
		{name: "no payloads", in: nil, want: []any{}},
		{name: "empty list", in: []*commonpb.Payload{}, want: []any{}},
		{name: "sealed", in: []*commonpb.Payload{seal("a"), seal(map[string]int{"Steps": 3})}, want: []any{"a", map[string]any{"Steps": float64(3)}}},
		{name: "sealed nil value", in: []*commonpb.Payload{seal(nil)}, want: []any{nil}},
		{name: "nil payload", in: []*commonpb.Payload{nil}, want: []any{nil}},
		{name: "clear nil value", in: []*commonpb.Payload{clearNil}, want: []any{nil}},
		{name: "clear JSON", in: []*commonpb.Payload{payload(t, map[string]int{"Steps": 3})}, err: `payload is not encrypted by openova's codec (encoding "json/plain"): start and signal workflows through openova, or give the temporal CLI --codec-endpoint`},
		{name: "clear JSON after a sealed one", in: []*commonpb.Payload{seal("a"), payload(t, "b")}, err: "payload is not encrypted"},
		{name: "clear bytes", in: []*commonpb.Payload{payload(t, []byte("raw"))}, err: `(encoding "binary/plain")`},
		{name: "no metadata", in: []*commonpb.Payload{{Data: []byte(`{"Steps":3}`)}}, err: `(encoding "")`},
		{name: "null encoding with data", in: []*commonpb.Payload{{Metadata: map[string][]byte{MetadataEncoding: []byte("binary/null")}, Data: []byte("x")}}, err: "payload is not encrypted"},
		{name: "tampered", in: []*commonpb.Payload{tampered}, err: "authentication failed"},
		{name: "too short", in: []*commonpb.Payload{short}, err: "too short"},
		{name: "unknown key", in: foreign, err: "not in the key file: add that key back"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Decode(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				if strings.Contains(tc.err, "not encrypted") {
					require.ErrorIs(t, err, ErrNotEncrypted)
				}
				return
			}
			require.NoError(t, err)
			require.Len(t, out, len(tc.want))
			for i, want := range tc.want {
				if tc.in[i] == nil {
					require.Nil(t, out[i])
					continue
				}
				var got any
				require.NoError(t, converter.GetDefaultDataConverter().FromPayload(out[i], &got))
				require.Equal(t, want, got)
			}
		})
	}
}

// The codec endpoint shows a history whole: its decode passes a clear
// payload through (the refused input is shown as it was sent), and its
// encode seals what the CLI sends, which the strict Decode then opens.
func TestHandlerDecodesClearAndEncodesForTheWorker(t *testing.T) {
	kr, err := NewKeyring(newKey(t))
	require.NoError(t, err)
	c := New(kr)
	h := c.Handler("0123456789abcdef0123")
	post := func(path string, ps []*commonpb.Payload) []*commonpb.Payload {
		body, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer 0123456789abcdef0123")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out commonpb.Payloads
		require.NoError(t, protojson.Unmarshal(rec.Body.Bytes(), &out))
		return out.Payloads
	}
	typed := payload(t, map[string]int{"Steps": 1})
	shown := post("/codec/decode", []*commonpb.Payload{typed})
	require.Len(t, shown, 1)
	require.Equal(t, typed.Data, shown[0].Data)

	sealed := post("/codec/encode", []*commonpb.Payload{typed})
	require.Len(t, sealed, 1)
	require.Equal(t, EncodingEncrypted, string(sealed[0].Metadata[MetadataEncoding]))
	opened, err := c.Decode(sealed)
	require.NoError(t, err)
	require.Equal(t, typed.Data, opened[0].Data)
}

func TestParseKeys(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(newKey(t))
	cases := []struct {
		name, in string
		keys     int
		err      string
	}{
		{"one key", good + "\n", 1, ""},
		{"comments and blanks", "# keys\n\n" + good + "\n  \n" + good + "\n", 2, ""},
		{"empty", "", 0, "holds no key"},
		{"only comments", "# nothing\n", 0, "holds no key"},
		{"not base64", "not base64!\n", 0, "line 1 is not base64"},
		{"short key on line 3", "# c\n" + good + "\n" + base64.StdEncoding.EncodeToString([]byte("short")) + "\n", 0, "line 3 holds a 5-byte key, want 32"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseKeys([]byte(tc.in))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, keys, tc.keys)
		})
	}
}

// Errors about a key file never quote its content.
func FuzzParseKeys(f *testing.F) {
	f.Add([]byte(base64.StdEncoding.EncodeToString(make([]byte, KeySize))))
	f.Add([]byte("# c\n\nzzz\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseKeys(data)
		if err != nil {
			for _, line := range strings.Split(string(data), "\n") {
				line = strings.TrimSpace(line)
				if len(line) > 8 {
					require.NotContains(t, err.Error(), line)
				}
			}
			return
		}
		for _, k := range keys {
			require.Len(t, k, KeySize)
		}
		_, err = NewKeyring(keys...)
		require.NoError(t, err)
	})
}

func TestKeyFileLifecycle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "codec.key")
	_, err := LoadKeyFile(path)
	require.ErrorIs(t, err, ErrKeyFileMissing)
	require.NoError(t, GenerateKeyFile(path))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	require.Error(t, GenerateKeyFile(path), "never overwrites a key")
	kr, err := LoadKeyFile(path)
	require.NoError(t, err)
	require.Len(t, kr.ActiveKeyID(), 16)

	require.NoError(t, os.WriteFile(path, []byte("garbage\n"), 0o600))
	_, err = LoadKeyFile(path)
	require.ErrorContains(t, err, "is corrupt: line 1")
}

func TestHandlerNeedsBearerToken(t *testing.T) {
	kr, err := NewKeyring(newKey(t))
	require.NoError(t, err)
	h := New(kr).Handler("0123456789abcdef0123")
	cases := []struct {
		name, method, auth string
		code               int
	}{
		{"no token", http.MethodPost, "", http.StatusUnauthorized},
		{"wrong token", http.MethodPost, "Bearer nope", http.StatusUnauthorized},
		{"not bearer", http.MethodPost, "Basic 0123456789abcdef0123", http.StatusUnauthorized},
		{"GET refused", http.MethodGet, "Bearer 0123456789abcdef0123", http.StatusMethodNotAllowed},
		{"right token", http.MethodPost, "Bearer 0123456789abcdef0123", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/codec/decode", strings.NewReader(`{"payloads":[]}`))
			req.Header.Set("X-Namespace", "default")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.code, rec.Code, rec.Body.String())
		})
	}
}
