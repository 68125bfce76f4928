package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/openova-io/core/image"
)

// Set at link time: -ldflags "-X main.version=v0.1.0 -X main.commit=abc".
var (
	version = "dev"
	commit  = ""
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError marks errors in what the user typed.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// Main runs the command line and returns the exit code. Every failure is one
// line on stderr that says what is wrong and what to do; never a stack trace.
func Main(args []string) int {
	root := newRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "openova: "+oneLine(err.Error()))
	var u usageError
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitError
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "openova",
		Short:         "Stand up and run a Kubernetes platform with durable workflows",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newBootstrapCmd(), newManagerCmd(), newImageCmd(), newVersionCmd(), newTofuKeyCmd())
	for _, c := range root.Commands() {
		c.Args = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected argument %q (see %s --help)", args[0], c.CommandPath())}
			}
			return nil
		}
	}
	root.Args = cobra.NoArgs
	root.RunE = func(c *cobra.Command, args []string) error {
		return usageError{errors.New("name a command: bootstrap, manager, image or version (see openova --help)")}
	}
	return root
}

// applyEnv fills every flag the user did not set from OPENOVA_<FLAG_NAME>.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = usageError{fmt.Errorf("environment variable %s: %w", name, serr)}
		}
	})
	return err
}

func envName(flag string) string {
	return "OPENOVA_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version and Temporal server version",
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(c.OutOrStdout(), "openova %s\ncommit: %s\ngo: %s\ntemporal server: %s\ntemporal sdk: %s\n",
				version, buildCommit(), runtime.Version(), depVersion("go.temporal.io/server"), depVersion("go.temporal.io/sdk"))
			if err == nil && image.Published != "" {
				// The manager images a release build names (dev/release.sh):
				// what a bootstrap for other nodes pulls.
				_, err = fmt.Fprintf(c.OutOrStdout(), "manager images: %s\n", image.Published)
			}
			return err
		},
	}
}

func buildCommit() string {
	if commit != "" {
		return commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

func depVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}
