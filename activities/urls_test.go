package activities

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://user:s3cret@git.example/p.git":              "https://git.example/p.git",
		"https://token@charts.example/index.yaml?sig=s3cret": "https://charts.example/index.yaml",
		"https://catalog.example/index.json#s3cret":          "https://catalog.example/index.json",
		"oci://registry.example/charts":                      "oci://registry.example/charts",
		"file:///srv/git/platform.git":                       "file:///srv/git/platform.git",
		"https://user:s3cret@bad host/%zz":                   "(unparsable URL)",
	} {
		t.Run(raw, func(t *testing.T) {
			got := redactURL(raw)
			require.Equal(t, want, got)
			require.NotContains(t, got, "s3cret")
		})
	}
}
