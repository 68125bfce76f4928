package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// KeyCommand is the hidden subcommand of the openova binary that OpenTofu
// runs as its external key provider (ServeKey): `openova tofu-key`.
const KeyCommand = "tofu-key"

// The key command's environment: where the key it derives from is and
// whose state it is. Neither is a secret; the key itself never travels in
// an environment, an argument or a file of its own.
const (
	EnvKeyFile = "OPENOVA_TOFU_KEY_FILE"
	EnvOrg     = "OPENOVA_TOFU_ORG"
)

// Encryption has OpenTofu encrypt the state and the saved plan with
// AES-256-GCM (TF_ENCRYPTION), enforced: tofu refuses to write either in
// clear. The state in the customer's bucket and the plan file in the
// working directory hold every secret the module sees (CA keys, the k3s
// token); encrypted, the bucket's credentials alone no longer reveal them.
// The key comes from Command, OpenTofu's external key provider: the
// openova binary itself, which derives it from the codec key file
// (ServeKey), so no passphrase is in a file, an argument, the history or
// the environment. OpenTofu only: Terraform has no state encryption.
type Encryption struct {
	// Command is the key provider: an absolute path and its arguments
	// (NewEncryption: this executable and KeyCommand).
	Command []string
	// KeyFile is the codec key file (base64 AES-256 keys, one a line, the
	// last one active) the state key is derived from.
	KeyFile string
	// Org is the organization: each gets its own key.
	Org string
	// Migrate reads a state written in clear (a bootstrap begun before
	// encryption was turned on: enforced, tofu refuses it as
	// ErrStateNotEncrypted) and writes it back encrypted. The state is
	// then not enforced for that run (OpenTofu allows no fallback to clear
	// otherwise); the plan stays enforced.
	Migrate bool
}

// NewEncryption is the encryption of org's state with a key derived from
// keyFile by this very executable (os.Executable) run as KeyCommand. The
// path is resolved now, so a tofu that runs detached (runDetached) and
// outlives this process still finds it.
func NewEncryption(keyFile, org string) (*Encryption, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("state encryption: locate the openova executable: %w", err)
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return nil, fmt.Errorf("state encryption: locate the openova executable: %w", err)
	}
	abs, err := filepath.Abs(keyFile)
	if err != nil {
		return nil, fmt.Errorf("state encryption: codec key file %s: %w", keyFile, err)
	}
	return &Encryption{Command: []string{self, KeyCommand}, KeyFile: abs, Org: org}, nil
}

// prepare checks the configuration and that bin is OpenTofu.
func (e *Encryption) prepare(ctx context.Context, bin string) error {
	if err := e.check(); err != nil {
		return err
	}
	return CheckOpenTofu(ctx, bin)
}

// check refuses a configuration tofu would misread: a relative command
// (tofu runs it from the working directory), no key file, no org.
func (e *Encryption) check() error {
	switch {
	case len(e.Command) == 0 || !filepath.IsAbs(e.Command[0]):
		return fmt.Errorf("state encryption: the key provider command %q is not an absolute path", e.Command)
	case e.KeyFile == "":
		return errors.New("state encryption: no codec key file")
	case e.Org == "":
		return errors.New("state encryption: no organization")
	}
	return nil
}

// env is what tofu's environment gains: TF_ENCRYPTION and the key
// command's two (non-secret) variables.
func (e *Encryption) env() (map[string]string, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	return map[string]string{"TF_ENCRYPTION": e.config(), EnvKeyFile: e.KeyFile, EnvOrg: e.Org}, nil
}

// config is the inside of OpenTofu's encryption block (TF_ENCRYPTION
// rejects the terraform { encryption { } } wrapper): one external key
// provider, AES-GCM, enforced for the state and the plan.
func (e *Encryption) config() string {
	cmd := make([]string, len(e.Command))
	for i, a := range e.Command {
		cmd[i] = hclString(a)
	}
	state := `state {
  method   = method.aes_gcm.openova
  enforced = true
}`
	if e.Migrate {
		state = `method "unencrypted" "migrate" {}
state {
  method = method.aes_gcm.openova
  fallback {
    method = method.unencrypted.migrate
  }
}`
	}
	return `key_provider "external" "openova" {
  command = [` + strings.Join(cmd, ", ") + `]
}
method "aes_gcm" "openova" {
  keys = key_provider.external.openova
}
` + state + `
plan {
  method   = method.aes_gcm.openova
  enforced = true
}
`
}

// hclString quotes s as an HCL string literal: JSON's escapes are HCL's,
// and template sequences are escaped so a path is taken literally.
func hclString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	q := strings.ReplaceAll(string(b), "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// CheckOpenTofu refuses encryption with a binary that is not OpenTofu:
// Terraform ignores TF_ENCRYPTION and would write the state in clear.
// Prepare runs it when encryption is on; a caller may run it at start to
// say so early.
func CheckOpenTofu(ctx context.Context, bin string) error {
	_, err := OpenTofuVersion(ctx, bin)
	return err
}

// OpenTofuVersion is the first line bin --version prints ("OpenTofu
// v1.10.6"), refusing a binary that is not OpenTofu as CheckOpenTofu does:
// the bootstrap logs and shows which one it runs.
func OpenTofuVersion(ctx context.Context, bin string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("state encryption: %s --version: %w", bin, err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(line, "OpenTofu ") {
		return "", fmt.Errorf("state encryption needs OpenTofu, and %s is %q: install OpenTofu (https://opentofu.org/docs/intro/install/) or name it with --terraform-bin", bin, line)
	}
	return line, nil
}
