// Package secret marks the values openova must never show: a field typed
// Text or Bytes travels in workflow payloads (which the codec encrypts) like
// any string, but fmt, slog and the audit view show it masked. The audit
// view masks by this type (Fields), by field name, and by content
// (Contains), so a key cannot slip through because its field was named
// something new.
//
// A struct that holds a Text and is itself marshalled to JSON (slog's JSON
// handler does that to a struct attribute) carries the value: log the
// field, never the struct.
//
// The package imports nothing of the module, so every layer can use it.
package secret

import (
	"fmt"
	"log/slog"
)

// Masked is what is shown in place of a secret.
const Masked = "•••• (masked)"

// Text is a secret string: a private key, a token, a password. Its JSON
// form is the plain string (payloads are encrypted by the codec, and the
// activity that uses it needs the value); everything else shows Masked.
type Text string

// Reveal is the value, for the one place that uses it.
func (t Text) Reveal() string { return string(t) }

// String is Masked, so %v and %s never print the value.
func (t Text) String() string { return mask(len(t)) }

// GoString is Masked, so %#v never prints the value.
func (t Text) GoString() string { return mask(len(t)) }

// Format masks every verb, %q and %x included.
func (t Text) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, mask(len(t))) }

// LogValue masks the value in slog records.
func (t Text) LogValue() slog.Value { return slog.StringValue(mask(len(t))) }

// Bytes is a secret byte string (a kubeconfig with its client key). Its
// JSON form is base64, as for []byte.
type Bytes []byte

// Reveal is the value, for the one place that uses it.
func (b Bytes) Reveal() []byte { return []byte(b) }

// String is Masked.
func (b Bytes) String() string { return mask(len(b)) }

// GoString is Masked.
func (b Bytes) GoString() string { return mask(len(b)) }

// Format masks every verb.
func (b Bytes) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, mask(len(b))) }

// LogValue masks the value in slog records.
func (b Bytes) LogValue() slog.Value { return slog.StringValue(mask(len(b))) }

// mask is Masked for a set value and empty for an unset one, so a page
// can still tell "not set" from "set".
func mask(n int) string {
	if n == 0 {
		return ""
	}
	return Masked
}
