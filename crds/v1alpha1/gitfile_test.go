package v1alpha1

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseGitFile(t *testing.T) {
	for _, tc := range []struct{ raw, want, err string }{
		{"clusters/fsn1/platform.yaml", "clusters/fsn1/platform.yaml", ""},
		{"platform.yml", "platform.yml", ""},
		{"", "", "not a clean file path"},
		{"/etc/platform.yaml", "", "not a clean file path"},
		{"../platform.yaml", "", "not a clean file path"},
		{"clusters/../../x.yaml", "", "not a clean file path"},
		{".git/config.yaml", "", "not a clean file path"},
		{"clusters//fsn1/platform.yaml", "", "not a clean file path"},
		{"clusters/fsn1/platform.json", "", "not a YAML file"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := ParseGitFile(tc.raw)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
