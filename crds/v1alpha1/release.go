package v1alpha1

import (
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file is the contract between the manager's activities, which write
// and read Crossplane composite resources and Component annotations, and
// its controllers (and the UI), which mirror them into status: one place,
// beside the API types, so neither side imports the other (the way
// fluxcd/helm-controller keeps annotations.go next to its API).

// The composite resource type of a component release (deploy/crossplane/xrd.yaml).
const (
	ReleaseGroup   = "platform.openova.io"
	ReleaseVersion = "v1alpha1"
	ReleaseKind    = "ComponentRelease"
)

// ReleaseGVK is the GroupVersionKind of a ComponentRelease.
var ReleaseGVK = schema.GroupVersionKind{Group: ReleaseGroup, Version: ReleaseVersion, Kind: ReleaseKind}

// ReleaseGVR is its resource, for metadata watches.
var ReleaseGVR = schema.GroupVersionResource{Group: ReleaseGroup, Version: ReleaseVersion, Resource: "componentreleases"}

// Annotations the manager's workflows write on a Component, each under a
// field owner of its own; the Component reconciler reads them.
const (
	// AnnotationRolledBack holds the last upgrade that was rolled back
	// (JSON RolledBack); shown as the RolledBack condition. A later
	// successful upgrade removes it.
	AnnotationRolledBack = "openova.io/rolled-back"
	// AnnotationAvailableVersions holds what the last CheckUpdates run
	// found (JSON AvailableVersions); shown as status.availableVersions and
	// the UpdatesChecked condition.
	AnnotationAvailableVersions = "openova.io/available-versions"
)

// RolledBack is what AnnotationRolledBack records.
//
// +kubebuilder:object:generate=false
type RolledBack struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// AvailableVersions is what AnnotationAvailableVersions records.
//
// +kubebuilder:object:generate=false
type AvailableVersions struct {
	Versions   []AvailableVersion `json:"versions,omitempty"`
	CheckedAt  time.Time          `json:"checkedAt"`
	IndexError string             `json:"indexError,omitempty"`
}

// ParseAvailableVersions reads the annotation; ok is false when it is
// absent or not JSON (then nothing is shown).
func ParseAvailableVersions(raw string) (AvailableVersions, bool) {
	var av AvailableVersions
	if raw == "" || json.Unmarshal([]byte(raw), &av) != nil {
		return AvailableVersions{}, false
	}
	return av, true
}

// ParseRolledBack reads the rolled-back annotation; ok is false when it is
// absent or not JSON.
func ParseRolledBack(raw string) (RolledBack, bool) {
	var rb RolledBack
	if raw == "" || json.Unmarshal([]byte(raw), &rb) != nil {
		return RolledBack{}, false
	}
	return rb, true
}

// ChartNotDeployed says that Crossplane reports a release Ready with another
// chart deployed than the one asked for (or none reported yet, as
// provider-helm before v1.3.0 does): the wait activities and the Component
// reconciler say it in the same words.
func ChartNotDeployed(deployed, want string) string {
	if deployed == "" {
		return fmt.Sprintf("Ready, but no deployed chart version is reported yet (want %s; provider-helm v1.3.0 or later reports it)", want)
	}
	return fmt.Sprintf("Ready, but chart %s is deployed, not %s", deployed, want)
}

// ConditionSummary is one Crossplane condition of a release.
//
// +kubebuilder:object:generate=false
type ConditionSummary struct {
	Status  string `json:",omitempty"` // True, False or Unknown (also when absent)
	Reason  string `json:",omitempty"`
	Message string `json:",omitempty"`
	// ObservedGeneration is the XR generation the condition was computed for (0: not reported).
	ObservedGeneration int64 `json:",omitempty"`
}

// ReleaseState is what the cluster says about a release.
//
// +kubebuilder:object:generate=false
type ReleaseState struct {
	Exists bool
	// Version is status.installedVersion: the chart version Helm deployed,
	// as the Composition mirrors it from provider-helm.
	Version   string `json:",omitempty"`
	Synced    ConditionSummary
	Ready     ConditionSummary
	Endpoints []Endpoint `json:",omitempty"`
	// Generation is the XR's metadata.generation.
	Generation int64 `json:",omitempty"`
	// Deleting is set once the XR has a deletion timestamp.
	Deleting bool `json:",omitempty"`
}

// ReleaseStateOf summarises a ComponentRelease (nil: it does not exist). It
// is pure, so the activities that wait on a release and the controllers
// that mirror it read it the same way. Crossplane's conditions are read
// from status.conditions as crossplane-runtime writes them (type, status,
// reason, message, observedGeneration).
func ReleaseStateOf(u *unstructured.Unstructured) ReleaseState {
	unknown := ConditionSummary{Status: string(metav1.ConditionUnknown)}
	if u == nil {
		return ReleaseState{Synced: unknown, Ready: unknown}
	}
	res := ReleaseState{Exists: true, Synced: unknown, Ready: unknown,
		Generation: u.GetGeneration(), Deleting: u.GetDeletionTimestamp() != nil}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		s := ConditionSummary{Status: str(m["status"]), Reason: str(m["reason"]), Message: str(m["message"])}
		if s.Status == "" {
			s.Status = string(metav1.ConditionUnknown)
		}
		switch g := m["observedGeneration"].(type) {
		case int64:
			s.ObservedGeneration = g
		case float64:
			s.ObservedGeneration = int64(g)
		}
		switch str(m["type"]) {
		case "Synced":
			res.Synced = s
		case "Ready":
			res.Ready = s
		}
	}
	res.Version, _, _ = unstructured.NestedString(u.Object, "status", "installedVersion")
	items, _, _ := unstructured.NestedSlice(u.Object, "status", "endpoints")
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			res.Endpoints = append(res.Endpoints, Endpoint{Name: str(m["name"]), URL: str(m["url"])})
		}
	}
	return res
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
