package v1alpha1

import (
	"fmt"
	"path"
	"strings"
)

// AnnotationGitFile marks a Platform that Flux applies from Git: its value
// is the file, in spec.git's repository and branch, that holds it. A
// change made in the cluster would last only until Flux's next reconcile
// puts Git's fields back, so the UI makes each change to such a Platform
// a commit to that file instead. The bootstrap sets it on the Platform it
// hands over.
const AnnotationGitFile = "openova.io/git-file"

// ParseGitFile checks the annotation's value: a YAML file's path inside
// the repository.
func ParseGitFile(raw string) (string, error) {
	c := path.Clean(raw)
	switch {
	case raw == "" || c != raw || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, ".git/"):
		return "", fmt.Errorf("annotation %s: %q is not a clean file path inside the repository", AnnotationGitFile, raw)
	case !strings.HasSuffix(c, ".yaml") && !strings.HasSuffix(c, ".yml"):
		return "", fmt.Errorf("annotation %s: %q is not a YAML file", AnnotationGitFile, raw)
	}
	return c, nil
}
