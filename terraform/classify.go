package terraform

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"regexp"
	"strings"
)

// Kinds of failure, used as the type of the workflow's non-retryable (or
// retryable) errors.
const (
	ErrLockHeld           = "StateLockHeld"
	ErrInvalidCredentials = "InvalidCredentials"
	ErrQuota              = "QuotaExceeded"
	ErrAPI                = "CloudAPIError"
	ErrFailed             = "TerraformFailed"
	// ErrStateEncrypted: the state or the saved plan is encrypted with a
	// key this openova does not have (another data directory's codec key,
	// or none). Retrying cannot help; the key can.
	ErrStateEncrypted = "StateEncrypted"
	// ErrStateNotEncrypted: encryption is on and enforced, and the state
	// was written in clear (before it was turned on).
	ErrStateNotEncrypted = "StateNotEncrypted"
)

// StateNotEncryptedHint says what to do about ErrStateNotEncrypted.
const StateNotEncryptedHint = "the state was written without encryption: run once with Encryption.Migrate to encrypt it"

// StateEncryptedHint says what to do about ErrStateEncrypted.
const StateEncryptedHint = "the state is encrypted with another key: run openova with the data directory (or --codec-key-file) that created it"

// encryptedRE matches what OpenTofu prints when it cannot decrypt: no
// encryption configured for an encrypted state or plan, a key that does
// not open it, or openova's key command lacking the key (KeyNotHeld).
var encryptedRE = regexp.MustCompile(`(?i)(state file is encrypted and can not be read|plan file is encrypted and requires|decryption failed for all provided methods|` + regexp.QuoteMeta(KeyNotHeld) + `)`)

// notEncrypted is what OpenTofu says of a state in clear when encryption
// is enforced.
const notEncrypted = "encountered unencrypted payload without unencrypted method configured"

// Error is a classified failure of one tofu command, with the last lines
// it printed (redacted).
type Error struct {
	Kind    string
	Command string
	// LockID names the held lock, so a resume can release the lock its own
	// killed run left.
	LockID string
	// LockWho is the lock's holder as tofu records it (user@host).
	LockWho string
	Output  string
	// cause is what tofu said was wrong, when the last error's first line
	// does not (a state it cannot decrypt is reported as a lock failure).
	cause string
	err   error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("tofu %s: %s", e.Command, e.Kind)
	switch e.Kind {
	case ErrStateEncrypted:
		return msg + ": " + StateEncryptedHint + " (tofu: " + e.cause + ")"
	case ErrStateNotEncrypted:
		return msg + ": " + StateNotEncryptedHint + " (tofu: " + e.cause + ")"
	}
	if e.LockID != "" {
		msg += " (lock " + e.LockID + ")"
	}
	if last := lastError(e.Output); last != "" {
		msg += ": " + last
	}
	return msg
}

func (e *Error) Unwrap() error { return e.err }

var (
	lockIDRE  = regexp.MustCompile(`(?m)^\s*ID:\s+(\S+)`)
	lockWhoRE = regexp.MustCompile(`(?m)^\s*Who:\s+(\S+)`)
	credsRE   = regexp.MustCompile(`(?i)(unauthorized|invalid (api )?token|authentication failed|InvalidAccessKeyId|SignatureDoesNotMatch|\b401\b|\b403\b)`)
	quotaRE   = regexp.MustCompile(`(?i)(quota|limit exceeded|resource_limit_exceeded|server_limit_reached)`)
	apiRE     = regexp.MustCompile(`(?i)(\b5\d\d\b|service unavailable|rate limit|api error|timeout)`)
)

// classify names a failure from what tofu printed.
func (r *Runner) classify(command string, err error, l *lines) error {
	out := l.text()
	e := &Error{Command: command, Output: out, err: errors.New(r.redact(err.Error()))}
	// Classify by the error blocks only: the lines before them echo the
	// configuration (a "timeout" argument is no API timeout).
	if i := strings.Index(out, "Error: "); i >= 0 {
		out = out[i:]
	}
	// tofu wraps its messages: match sentences on one line.
	flat := strings.Join(strings.Fields(out), " ")
	switch {
	// Before the lock: tofu reads the state while it takes the lock, and
	// says so under "Error acquiring the state lock".
	case encryptedRE.MatchString(flat):
		e.Kind, e.cause = ErrStateEncrypted, encryptedRE.FindString(flat)
	case strings.Contains(flat, notEncrypted):
		e.Kind, e.cause = ErrStateNotEncrypted, notEncrypted
	case strings.Contains(out, "Error acquiring the state lock") || strings.Contains(out, "state lock"):
		e.Kind = ErrLockHeld
		if m := lockIDRE.FindStringSubmatch(out); m != nil {
			e.LockID = m[1]
		}
		if m := lockWhoRE.FindStringSubmatch(out); m != nil {
			e.LockWho = m[1]
		}
	case quotaRE.MatchString(out): // before credentials: a limit may come as HTTP 403
		e.Kind = ErrQuota
	case credsRE.MatchString(out):
		e.Kind = ErrInvalidCredentials
	case apiRE.MatchString(out):
		e.Kind = ErrAPI
	default:
		e.Kind = ErrFailed
	}
	return e
}

// lastError is the first line of tofu's last "Error:" block.
func lastError(out string) string {
	i := strings.LastIndex(out, "Error: ")
	if i < 0 {
		return ""
	}
	line := out[i+len("Error: "):]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	return strings.TrimSpace(line)
}

// LockHolder is how tofu names this process as a lock's holder (user@host),
// so a resume can tell a lock its own killed run left from another
// machine's.
func LockHolder() string {
	host, _ := os.Hostname()
	name := "" // as OpenTofu's statemgr.NewLockInfo does
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return name + "@" + host
}
