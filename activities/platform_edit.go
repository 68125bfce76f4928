package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"go.temporal.io/sdk/temporal"
	"gopkg.in/yaml.v3"

	"github.com/openova-io/core/crds/v1alpha1"
)

// EditPlatformInput is one change the UI makes to a Platform that Flux
// applies from Git (v1alpha1.AnnotationGitFile): the component's entry as
// the UI wants it, committed to the file that holds the Platform, with
// the signed-in user as the commit's author.
type EditPlatformInput struct {
	// Git is the Platform's spec.git: the repository, branch and
	// credentials Secret (its Path, where releases go, is not used).
	Git GitTarget
	// File is the annotation's value: the file that holds the Platform.
	File     string
	Platform string
	// Entry is the component's entry: the fields the UI manages
	// (uiFields) are set to its values or removed where it has none;
	// any other field Git has (values) stays.
	Entry v1alpha1.ComponentRef
	// Settings, when set, is a Settings page edit instead of an entry's.
	Settings *PlatformSettings `json:",omitempty"`
	Actor    string
	Message  string
}

// EditPlatformResult is the branch head after the edit; Changed says
// whether this call pushed a commit (an edit already in Git makes none).
type EditPlatformResult struct {
	Commit  string
	Changed bool
}

// uiFields are the entry fields the UI manages, as the server-side apply
// of Direct mode owns them under the UI's field manager.
var uiFields = []string{"enabled", "version", "optional", "confirmForwardOnly", "upgradeAt"}

// EditPlatform commits the entry to the Platform's file: one commit, or
// none when Git already has it, so a retried activity adds nothing.
func (g *Git) EditPlatform(ctx context.Context, in EditPlatformInput) (EditPlatformResult, error) {
	file, err := v1alpha1.ParseGitFile(in.File)
	if err != nil {
		return EditPlatformResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrPlatformFile, nil)
	}
	if in.Platform == "" || (in.Entry.Name == "" && in.Settings == nil) || in.Actor == "" {
		return EditPlatformResult{}, temporal.NewNonRetryableApplicationError(
			"edit of a platform in Git: the platform, the component or settings, and the user are required", ErrPlatformFile, nil)
	}
	author := &object.Signature{Name: in.Actor, Email: authorEmail(in.Actor)}
	missing := temporal.NewNonRetryableApplicationError(fmt.Sprintf(
		"the platform repository has no %s, which platform %s names in %s: put the annotation right or the file back",
		file, in.Platform, v1alpha1.AnnotationGitFile), ErrPlatformFile, nil)
	commit, changed, err := g.editFile(ctx, in.Git, file, in.Message, author, missing, ErrPlatformFile, func(old []byte) ([]byte, bool, error) {
		if in.Settings != nil {
			return SetPlatformSettings(old, in.Platform, *in.Settings, in.Actor)
		}
		return SetComponentEntry(old, in.Platform, in.Entry, in.Actor)
	})
	return EditPlatformResult{Commit: commit, Changed: changed}, err
}

// editFile commits edit's change of a file the repository has: one commit,
// or none when edit changes nothing (a retried activity adds nothing).
// missing is the error when the file is not there; an error of edit is
// non-retryable, of type errType, naming the file.
func (g *Git) editFile(ctx context.Context, t GitTarget, file, message string, author *object.Signature, missing error, errType string,
	edit func(old []byte) ([]byte, bool, error)) (string, bool, error) {
	return g.change(ctx, t.URL, t.Branch, file, t.SecretRef, message, author, func(path string) (bool, error) {
		old, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, missing
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", file, err)
		}
		out, changed, err := edit(old)
		if err != nil {
			return false, temporal.NewNonRetryableApplicationError(file+": "+err.Error(), errType, nil)
		}
		if !changed {
			return false, nil
		}
		return true, os.WriteFile(path, out, 0o644)
	})
}

// authorEmail is the user's address where the user is one (OpenID), else
// a name that says the user signed in to openova.
func authorEmail(actor string) string {
	if strings.Contains(actor, "@") {
		return actor
	}
	return actor + "@openova.invalid"
}

// SetComponentEntry sets the component's entry of the named Platform in a
// YAML file of one or more documents, and the annotation saying who asked
// (v1alpha1.AnnotationActorPrefix), as Direct mode's apply does. It keeps
// the other documents, entries and fields; changed is false when the file
// already says so.
func SetComponentEntry(file []byte, platform string, entry v1alpha1.ComponentRef, actor string) ([]byte, bool, error) {
	want, err := entryFields(entry)
	if err != nil {
		return nil, false, err
	}
	return editPlatformDoc(file, platform, func(target *yaml.Node) (bool, error) {
		changed := setScalar(mapping(mapping(target, "metadata"), "annotations"), v1alpha1.AnnotationActorPrefix+entry.Name, actor)
		comps := child(mapping(target, "spec"), "components")
		if comps == nil {
			comps = &yaml.Node{Kind: yaml.SequenceNode}
			spec := child(target, "spec")
			spec.Content = append(spec.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "components"}, comps)
		}
		if comps.Kind != yaml.SequenceNode {
			return false, fmt.Errorf("spec.components of platform %s is not a list", platform)
		}
		var e *yaml.Node
		for _, item := range comps.Content {
			if scalar(item, "name") == entry.Name {
				e = item
			}
		}
		if e == nil {
			e = &yaml.Node{Kind: yaml.MappingNode}
			setScalar(e, "name", entry.Name)
			comps.Content = append(comps.Content, e)
			changed = true
		}
		for _, f := range uiFields {
			if setField(e, f, want[f]) {
				changed = true
			}
		}
		return changed, nil
	})
}

// editPlatformDoc runs edit on the named Platform of a YAML file of one
// or more documents and writes the file back when edit changed it,
// keeping the other documents as they were.
func editPlatformDoc(file []byte, platform string, edit func(target *yaml.Node) (bool, error)) ([]byte, bool, error) {
	return editDoc(file, "Platform", platform, edit)
}

// editDoc runs edit on the document of that kind and name.
func editDoc(file []byte, kind, name string, edit func(target *yaml.Node) (bool, error)) ([]byte, bool, error) {
	dec := yaml.NewDecoder(bytes.NewReader(file))
	var docs []*yaml.Node
	var target *yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("not YAML: %v", err)
		}
		docs = append(docs, &n)
		if len(n.Content) == 1 && scalar(n.Content[0], "kind") == kind && scalar(child(n.Content[0], "metadata"), "name") == name {
			target = n.Content[0]
		}
	}
	if target == nil {
		return nil, false, fmt.Errorf("no %s named %s", kind, name)
	}
	changed, err := edit(target)
	if err != nil || !changed {
		return file, false, err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, false, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, false, err
	}
	return out.Bytes(), true, nil
}

// entryFields is the entry as the YAML node of each field it sets.
func entryFields(entry v1alpha1.ComponentRef) (map[string]*yaml.Node, error) {
	js, err := json.Marshal(entry)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, err
	}
	out := map[string]*yaml.Node{}
	for k, v := range m {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return nil, err
		}
		out[k] = &n
	}
	return out, nil
}

// child is the value of key in mapping m, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// scalar is the string value of key in mapping m, or "".
func scalar(m *yaml.Node, key string) string {
	if c := child(m, key); c != nil && c.Kind == yaml.ScalarNode {
		return c.Value
	}
	return ""
}

// mapping is the mapping under key in m, made when missing.
func mapping(m *yaml.Node, key string) *yaml.Node {
	if c := child(m, key); c != nil && c.Kind == yaml.MappingNode {
		return c
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	setField(m, key, n)
	return n
}

// setScalar sets key to the string value; it reports a change.
func setScalar(m *yaml.Node, key, value string) bool {
	return setField(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// setField sets key to v in mapping m, or removes it (v nil); it reports
// whether m changed.
func setField(m *yaml.Node, key string, v *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if v == nil {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
		if sameNode(m.Content[i+1], v) {
			return false
		}
		m.Content[i+1] = v
		return true
	}
	if v == nil {
		return false
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	return true
}

// sameNode compares two values as data, whatever their style.
func sameNode(a, b *yaml.Node) bool {
	var va, vb any
	if a.Decode(&va) != nil || b.Decode(&vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}
