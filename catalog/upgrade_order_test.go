package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUpgradeOrder(t *testing.T) {
	cat := Default()
	cases := []struct {
		name     string
		in       []string
		want     []string
		wantKind string
	}{
		{"one", []string{"grafana"}, []string{"grafana"}, ""},
		{"a dependency goes first, even through one not upgraded", []string{"mongodb", "redpanda"}, []string{"redpanda", "mongodb"}, ""},
		{"the same whatever the request order", []string{"redpanda", "mongodb", "backstage"}, []string{"backstage", "redpanda", "mongodb"}, ""},
		{"unknown", []string{"grafana", "nosuch"}, nil, ErrUnknownComponent},
		{"twice", []string{"grafana", "grafana"}, nil, ErrInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cat.UpgradeOrder(tc.in)
			if tc.wantKind != "" {
				require.Error(t, err)
				require.Equal(t, tc.wantKind, KindOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
