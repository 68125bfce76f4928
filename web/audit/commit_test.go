package audit

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openova-io/core/workflows"
)

func TestCommitOfAnEdit(t *testing.T) {
	input := `{"Git":{"URL":"https://198.51.100.1:3000/acme/platform.git","Branch":"main"},"File":"clusters/fsn1/platform.yaml","Platform":"acme"}`
	for _, tc := range []struct {
		name, typ, input, result string
		want                     CommitVM
	}{
		{"an edit", workflows.EditPlatformWorkflow, input, `{"Commit":"0123abc","Changed":true}`,
			CommitVM{Commit: "0123abc", File: "clusters/fsn1/platform.yaml", URL: "https://198.51.100.1:3000/acme/platform/commit/0123abc"}},
		{"another workflow", workflows.ReleaseComponentWorkflow, input, `{"Commit":"0123abc"}`, CommitVM{}},
		{"still running", workflows.EditPlatformWorkflow, input, "", CommitVM{}},
		{"no commit", workflows.EditPlatformWorkflow, input, `{"Commit":""}`, CommitVM{}},
		{"an ssh repository: no link", workflows.EditPlatformWorkflow, `{"Git":{"URL":"ssh://git@host/acme/platform.git"},"File":"p.yaml"}`, `{"Commit":"0123abc"}`,
			CommitVM{Commit: "0123abc", File: "p.yaml"}},
		{"a masked or odd input", workflows.EditPlatformWorkflow, `(not decodable)`, `{"Commit":"0123abc"}`, CommitVM{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, commitOf(tc.typ, Run{Input: tc.input, Result: tc.result}))
		})
	}
}
