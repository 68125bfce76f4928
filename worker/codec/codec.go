package codec

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
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

// ErrNotEncrypted is returned by Decode for a payload the codec did not
// seal: whoever reaches the Temporal frontend could otherwise start or
// signal a workflow with input of their own choosing, and the worker would
// take it as openova's.
var ErrNotEncrypted = errors.New("payload is not encrypted by openova's codec")

// encodingNull is the SDK's encoding of a nil value: it carries no data, so
// it is accepted in clear.
const encodingNull = "binary/null"

// Decode decrypts payloads sealed by any key in the keyring and refuses any
// other payload (ErrNotEncrypted), except a nil one or a clear nil value,
// which carry nothing. Search attributes are indexed in clear and never pass
// here (the SDK decodes them without the codec).
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return c.decode(payloads, true)
}

func (c *Codec) decode(payloads []*commonpb.Payload, strict bool) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		enc := string(p.GetMetadata()[MetadataEncoding])
		if enc != EncodingEncrypted {
			if strict && p != nil && !(enc == encodingNull && len(p.GetData()) == 0) {
				return payloads, fmt.Errorf("%w (encoding %q): start and signal workflows through openova, or give the temporal CLI --codec-endpoint and --codec-auth so it encrypts the input", ErrNotEncrypted, enc)
			}
			out[i] = p
			continue
		}
		dec, err := c.open(p)
		if err != nil {
			return payloads, err
		}
		out[i] = dec
	}
	return out, nil
}

// open decrypts one sealed payload.
func (c *Codec) open(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.GetMetadata()[MetadataKeyID])
	aead, ok := c.keys.aeads[id]
	if !ok {
		return nil, fmt.Errorf("payload is encrypted with codec key %q, which is not in the key file: add that key back (keys are never removed on rotation)", id)
	}
	data := p.GetData()
	if len(data) < aead.NonceSize() {
		return nil, fmt.Errorf("decode payload: ciphertext too short")
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("decode payload with key %q: authentication failed (wrong key or tampered data)", id)
	}
	var dec commonpb.Payload
	if err := proto.Unmarshal(plain, &dec); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	return &dec, nil
}

// reader is the codec as the codec endpoint serves it: a reader of history
// sees clear payloads (one someone typed into the CLI, a refused input) as
// they are, so that showing a history never fails on them.
type reader struct{ *Codec }

func (r reader) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return r.decode(payloads, false)
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
// shows decrypted history and `temporal workflow start --input` with the
// same flags sends an input the worker accepts. Its decode passes clear
// payloads through (see reader).
func (c *Codec) Handler(token string) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(reader{c})
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
