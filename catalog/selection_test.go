package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The mandatory components come first, then each chosen one after what it
// requires, each once, with the component that pulled it in.
func TestResolveSelection(t *testing.T) {
	list, err := Default().ResolveSelection([]string{"debezium"})
	require.NoError(t, err)
	pos := map[string]int{}
	for i, s := range list {
		_, dup := pos[s.Name]
		require.False(t, dup, "%s once", s.Name)
		pos[s.Name] = i
	}
	for _, c := range Default().InCategory(Mandatory) {
		require.Contains(t, pos, c.Name)
		require.Empty(t, list[pos[c.Name]].NeededBy)
	}
	require.Less(t, pos["redpanda"], pos["debezium"], "a dependency comes before what requires it")
	require.Equal(t, "debezium", list[pos["redpanda"]].NeededBy)

	_, err = Default().ResolveSelection([]string{"no-such-component"})
	require.ErrorContains(t, err, `"no-such-component" is not in the catalog`)
}
