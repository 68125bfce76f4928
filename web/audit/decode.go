package audit

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/converter"

	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/worker/codec"
)

// Masked replaces a value the audit view never shows.
const Masked = secret.Masked

// secretKey matches field names whose values may be secrets: credentials,
// tokens, keys, and Helm values (a chart's values often carry passwords).
// It is the last of three rules (see mask): a name catches what an
// untyped map (OpenTofu variables, Helm values) carries.
var secretKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|credential|apikey|api_key|privatekey|private_key|ca_?key|^key$|kubeconfig|^values$)`)

// Decoder turns a history's payloads and failures into what the audit
// view shows, on the server: payloads are decrypted with the engine's data
// converter and masked before rendering; nothing encrypted and no key
// reaches the browser.
type Decoder struct {
	Data    converter.DataConverter
	Failure converter.FailureConverter
	// SecretFields are the JSON names of the fields typed secret.Text or
	// secret.Bytes in the workflows' and activities' inputs and results
	// (worker.SecretFields): masked whatever they are called.
	SecretFields []string
}

// maxShown bounds one rendered payload.
const maxShown = 4000

// Payloads renders payloads as indented JSON with secrets masked.
func (d Decoder) Payloads(p *commonpb.Payloads) string {
	if p == nil || len(p.GetPayloads()) == 0 {
		return ""
	}
	var parts []string
	for _, one := range p.GetPayloads() {
		parts = append(parts, d.Payload(one))
	}
	return strings.Join(parts, "\n")
}

// Payload renders one payload as indented JSON with secrets masked.
func (d Decoder) Payload(p *commonpb.Payload) string {
	if p == nil {
		return ""
	}
	var v any
	if err := d.Data.FromPayload(p, &v); err != nil {
		if string(p.GetMetadata()[codec.MetadataEncoding]) != codec.EncodingEncrypted {
			return "(not encrypted by openova's codec, so its worker refused it)"
		}
		return "(cannot be decoded with this engine's key)"
	}
	b, err := json.MarshalIndent(d.mask(v), "", "  ")
	if err != nil {
		return "(not JSON)"
	}
	if len(b) > maxShown {
		return string(b[:maxShown]) + "\n… (cut)"
	}
	return string(b)
}

// String decodes a payload that holds a string (a memo field).
func (d Decoder) String(p *commonpb.Payload) string {
	var s string
	if p == nil || d.Data.FromPayload(p, &s) != nil {
		return ""
	}
	return s
}

// FailureMessage is a failure's message as its workflow or activity wrote
// it (decrypted), with its cause chain.
func (d Decoder) FailureMessage(f *failurepb.Failure) string {
	if f == nil {
		return ""
	}
	err := d.Failure.FailureToError(f)
	if err == nil {
		return ""
	}
	return secret.Redact(err.Error())
}

// mask walks a decoded JSON value and replaces a secret with Masked, by
// three rules: a field of a secret type (SecretFields), a string whose
// content is key material (secret.Contains: PEM private keys, kubeconfig
// keys, tokens, also base64-encoded), and a field whose name says secret.
func (d Decoder) mask(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for _, k := range keys {
			if (secretKey.MatchString(k) || slices.Contains(d.SecretFields, k)) && t[k] != nil && t[k] != "" {
				out[k] = Masked
				continue
			}
			out[k] = d.mask(t[k])
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = d.mask(e)
		}
		return out
	case string:
		if secret.Contains(t) {
			return Masked
		}
	}
	return v
}
