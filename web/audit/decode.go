package audit

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/converter"
)

// Masked replaces a value the audit view never shows.
const Masked = "•••• (masked)"

// secretKey matches field names whose values may be secrets: credentials,
// tokens, keys, and Helm values (a chart's values often carry passwords).
var secretKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|credential|apikey|api_key|privatekey|private_key|^key$|kubeconfig|^values$)`)

// Decoder turns a history's payloads and failures into what the audit
// view shows, on the server: payloads are decrypted with the engine's data
// converter and masked before rendering; nothing encrypted and no key
// reaches the browser.
type Decoder struct {
	Data    converter.DataConverter
	Failure converter.FailureConverter
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
		return "(cannot be decoded with this engine's key)"
	}
	b, err := json.MarshalIndent(mask(v), "", "  ")
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
	return err.Error()
}

// mask walks a decoded JSON value and replaces what secretKey names.
func mask(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for _, k := range keys {
			if secretKey.MatchString(k) && t[k] != nil && t[k] != "" {
				out[k] = Masked
				continue
			}
			out[k] = mask(t[k])
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = mask(e)
		}
		return out
	}
	return v
}
