package secret

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// Content patterns of key material, whatever field or message carries it:
// PEM private keys (PKCS#1, PKCS#8, EC, OpenSSH, encrypted), a kubeconfig's
// embedded client key or token, and JSON Web Tokens.
var (
	pemKey = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	// kubeconfigKey matches the YAML and JSON spellings of client-key-data,
	// client-key and token in a kubeconfig (a line, up to its end).
	kubeconfigKey = regexp.MustCompile(`(?m)("?(client-key-data|client-key|token)"?\s*:\s*)("[^"]+"|[^\s,}]+)`)
	jwt           = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)
	// base64Run is a run long enough to hide a key (a PEM key is over 200
	// characters once encoded).
	base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{120,}={0,2}`)
)

// maxDepth bounds base64 in base64 (a kubeconfig's client-key-data inside a
// kubeconfig sent as bytes, so base64 twice).
const maxDepth = 3

// Contains reports whether s holds key material: a PEM private key, a
// kubeconfig's client key or token, a JSON Web Token, or one of these
// base64-encoded (a []byte payload field, a kubeconfig's *-data fields).
func Contains(s string) bool { return contains(s, 0) }

func contains(s string, depth int) bool {
	if pemKey.MatchString(s) || jwt.MatchString(s) || kubeconfigKeyWithValue(s) {
		return true
	}
	if depth >= maxDepth {
		return false
	}
	for _, run := range base64Run.FindAllString(s, -1) {
		if b, ok := decode(run); ok && contains(string(b), depth+1) {
			return true
		}
	}
	return false
}

// kubeconfigKeyWithValue: a kubeconfig field with a value (an empty
// "token: " in prose is not a secret).
func kubeconfigKeyWithValue(s string) bool {
	if !strings.Contains(s, "client-key") && !strings.Contains(s, "token") {
		return false
	}
	if !strings.Contains(s, "apiVersion") || !strings.Contains(s, "users") {
		return false
	}
	return kubeconfigKey.MatchString(s)
}

// Redact replaces key material in free text (an error message, a log line)
// with Masked and keeps the rest.
func Redact(s string) string {
	s = pemKey.ReplaceAllString(s, Masked)
	s = jwt.ReplaceAllString(s, Masked)
	if kubeconfigKeyWithValue(s) {
		s = kubeconfigKey.ReplaceAllString(s, "${1}"+Masked)
	}
	return base64Run.ReplaceAllStringFunc(s, func(run string) string {
		if b, ok := decode(run); ok && contains(string(b), 1) {
			return Masked
		}
		return run
	})
}

func decode(run string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(run); err == nil {
			return b, true
		}
	}
	return nil, false
}
