package codec

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// FuzzCodecEndpoint posts a request body to the codec endpoint (what the
// temporal CLI and the Web UI send: JSON payloads) as the token's holder.
// It holds: the endpoint answers 200 or 400, never fails otherwise; what
// /encode returns /decode turns back into exactly the payloads sent; and
// a sealed payload altered at any byte is refused, never decoded into
// something else.
func FuzzCodecEndpoint(f *testing.F) {
	f.Add([]byte(`{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"InMzY3IzdCI="}]}`), 0, byte(1))
	f.Add([]byte(`{"payloads":[]}`), -1, byte(0))
	f.Add([]byte(`{"payloads":[{"metadata":{"encoding":"YmluYXJ5L2VuY3J5cHRlZA==","encryption-key-id":"eA=="},"data":"AAAA"}]}`), 5, byte(0xff))
	f.Add([]byte(`{"payloads":[{"metadata":{"encoding":"YmluYXJ5L251bGw="}}]}`), 3, byte(0))
	f.Add([]byte(`{"payloads":[{}, null]}`), 0, byte(0))
	f.Add([]byte(`not json`), 0, byte(0))
	kr, err := NewKeyring(make([]byte, KeySize))
	require.NoError(f, err)
	const token = "fuzz-token"
	h := New(kr).Handler(token)
	post := func(path string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	f.Fuzz(func(t *testing.T, body []byte, at int, b byte) {
		for _, path := range []string{"/codec/decode", "/codec/encode"} {
			rec := post(path, body)
			require.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, rec.Code, "%s: %s", path, rec.Body.String())
		}
		rec := post("/codec/encode", body)
		if rec.Code != http.StatusOK {
			return
		}
		var sent, sealed, opened commonpb.Payloads
		require.NoError(t, protojson.Unmarshal(body, &sent))
		require.NoError(t, protojson.Unmarshal(rec.Body.Bytes(), &sealed))
		require.Len(t, sealed.Payloads, len(sent.Payloads))
		back := post("/codec/decode", rec.Body.Bytes())
		require.Equal(t, http.StatusOK, back.Code, back.Body.String())
		require.NoError(t, protojson.Unmarshal(back.Body.Bytes(), &opened))
		require.Len(t, opened.Payloads, len(sent.Payloads))
		for i := range sent.Payloads {
			require.True(t, proto.Equal(sent.Payloads[i], opened.Payloads[i]), "payload %d: sent %v, got back %v", i, sent.Payloads[i], opened.Payloads[i])
		}
		if len(sealed.Payloads) == 0 {
			return
		}
		data := sealed.Payloads[0].Data
		if at < 0 || at >= len(data) || b == 0 {
			return
		}
		data[at] ^= b
		tampered, err := protojson.Marshal(&sealed)
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, post("/codec/decode", tampered).Code, "a payload altered at byte %d is decoded", at)
	})
}
