package codec

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Payload metadata written by the codec.
const (
	MetadataEncoding    = "encoding"
	MetadataKeyID       = "encryption-key-id"
	EncodingEncrypted   = "binary/encrypted"
	authorizationPrefix = "Bearer "
)

// Codec is a converter.PayloadCodec that seals each payload whole (data and
// metadata) with the keyring's active key.
type Codec struct {
	keys *Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec over a keyring.
func New(keys *Keyring) *Codec { return &Codec{keys: keys} }

// Encode encrypts payloads with the active key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys.aeads[c.keys.activeID]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("encode payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("encode payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:    []byte(c.keys.activeID),
			},
			Data: aead.Seal(nonce, nonce, plain, []byte(c.keys.activeID)),
		}
	}
	return out, nil
}

// Decode decrypts payloads sealed by any key in the keyring and passes
// unencrypted ones (for example input typed into the stock CLI) through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.keys.aeads[id]
		if !ok {
			return payloads, fmt.Errorf("payload is encrypted with codec key %q, which is not in the key file: add that key back (keys are never removed on rotation)", id)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return payloads, fmt.Errorf("decode payload: ciphertext too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
		if err != nil {
			return payloads, fmt.Errorf("decode payload with key %q: authentication failed (wrong key or tampered data)", id)
		}
		var dec commonpb.Payload
		if err := proto.Unmarshal(plain, &dec); err != nil {
			return payloads, fmt.Errorf("decode payload: %w", err)
		}
		out[i] = &dec
	}
	return out, nil
}

// DataConverter encrypts every payload the SDK writes.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves failure messages and stack traces into an encrypted
// payload, so an error that quotes a secret is as safe as an input.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          c.DataConverter(),
		EncodeCommonAttributes: true,
	})
}

// Handler serves Temporal's codec-server protocol (POST .../encode and
// .../decode) to holders of the bearer token, so that
// `temporal workflow show --codec-endpoint URL --codec-auth "Bearer TOKEN"`
// shows decrypted history.
func (c *Codec) Handler(token string) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if !strings.HasPrefix(got, authorizationPrefix) ||
			subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(got, authorizationPrefix)), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openova codec"`)
			http.Error(w, "codec endpoint: missing or wrong bearer token (see codec.token in the data dir)", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "codec endpoint: use POST", http.StatusMethodNotAllowed)
			return
		}
		inner.ServeHTTP(w, r)
	})
}
