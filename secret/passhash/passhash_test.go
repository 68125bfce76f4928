package passhash

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A hash verifies its password and no other; what is not an argon2id PHC
// string, or would make argon2 panic, is an error, not a match.
func TestHashThenVerify(t *testing.T) {
	phc, err := Hash("correct horse")
	require.NoError(t, err)
	require.Regexp(t, `^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, phc)
	ok, err := Verify(phc, "correct horse")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = Verify(phc, "correct horsE")
	require.NoError(t, err)
	require.False(t, ok)
	other, err := Hash("correct horse")
	require.NoError(t, err)
	require.NotEqual(t, phc, other, "a fresh salt each time")

	for _, bad := range []string{"", "correct horse", "$2a$10$abc", "$argon2id$v=19$m=8,t=0,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=8,t=1,p=1$c2FsdA$a2V5"} {
		ok, err := Verify(bad, "correct horse")
		require.Error(t, err, "%q", bad)
		require.False(t, ok)
	}
}
