package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/openova-io/core/recovery"
	"github.com/openova-io/core/secret"
	"github.com/openova-io/core/terraform"
	"github.com/openova-io/core/web/wizard"
	"github.com/openova-io/core/worker/codec"
)

// newTofuKeyCmd is OpenTofu's external key provider for the state and plan
// encryption the bootstrap turns on (terraform.Encryption): tofu runs
// `openova tofu-key` itself, with the codec key file and the organization
// in its environment, and reads the state key from stdout. Hidden: nobody
// types it. Its errors go to stderr, which tofu shows in its own.
func newTofuKeyCmd() *cobra.Command {
	return &cobra.Command{
		Use:    terraform.KeyCommand,
		Short:  "OpenTofu's external key provider for the bootstrap's state encryption (run by tofu)",
		Hidden: true,
		RunE: func(c *cobra.Command, _ []string) error {
			path := os.Getenv(terraform.EnvKeyFile)
			if path == "" {
				return errors.New(terraform.EnvKeyFile + " is not set: this command is run by tofu for openova's state encryption")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("read the codec key file: %w", err)
			}
			raw, err := codec.ParseKeys(data)
			if err != nil {
				return fmt.Errorf("codec key file %s: %w", path, err)
			}
			keys := make([]secret.Bytes, len(raw))
			for i, k := range raw {
				keys[i] = secret.Bytes(k)
			}
			org := os.Getenv(terraform.EnvOrg)
			recovered, err := terraform.LoadRecoveredKey(path, org)
			if err != nil {
				return err
			}
			return terraform.ServeKey(c.InOrStdin(), c.OutOrStdout(), keys, org, recovered)
		},
	}
}

// stateKeys gives the recovery bundle an organization's OpenTofu state
// key and its ID: a key restored from a bundle if this openova holds one
// for it, else the one tofu gets for new states, derived from the active
// (last) key of the codec key file (base64, as OpenTofu's key provider
// reads it).
func stateKeys(codecKeyFile string) wizard.StateKeys {
	return func(org string) (secret.Text, string, error) {
		rec, err := terraform.LoadRecoveredKey(codecKeyFile, org)
		if err != nil {
			return "", "", err
		}
		if rec != nil {
			return secret.Text(base64.StdEncoding.EncodeToString(rec.Key.Reveal())), rec.ID, nil
		}
		data, err := os.ReadFile(codecKeyFile)
		if err != nil {
			return "", "", fmt.Errorf("read the codec key file: %w", err)
		}
		raw, err := codec.ParseKeys(data)
		if err == nil && len(raw) == 0 {
			err = errors.New("it holds no key")
		}
		if err != nil {
			return "", "", fmt.Errorf("codec key file %s: %w", codecKeyFile, err)
		}
		active := secret.Bytes(raw[len(raw)-1])
		key, err := terraform.DeriveStateKey(active, org)
		if err != nil {
			return "", "", err
		}
		return secret.Text(base64.StdEncoding.EncodeToString(key.Reveal())), terraform.KeyID(active), nil
	}
}

// restoreBundle keeps an opened recovery bundle's state key beside the
// codec key file, where `openova tofu-key` finds it for its organization.
func restoreBundle(codecKeyFile string) wizard.Restore {
	return func(b recovery.Bundle) error {
		key, err := base64.StdEncoding.DecodeString(b.StateKey.Reveal())
		if err != nil {
			return errors.New("its OpenTofu state key is not base64")
		}
		return terraform.SaveRecoveredKey(codecKeyFile, b.Organization, terraform.RecoveredKey{ID: b.StateKeyID, Key: key})
	}
}
