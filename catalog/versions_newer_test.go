package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewerThan(t *testing.T) {
	cases := []struct {
		name               string
		version, installed string
		chartOnly          bool
		want               bool
	}{
		{"newer", "v11.5.0", "v11.4.0", false, true},
		{"same", "v11.4.0", "11.4.0", false, false},
		{"older", "v11.3.0", "v11.4.0", false, false},
		{"chart version only cannot be compared", "6.2.0", "v11.4.0", true, true},
		{"unknown installed version", "v1.0.0", "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, NewerThan(tc.version, tc.installed, tc.chartOnly))
		})
	}
}
