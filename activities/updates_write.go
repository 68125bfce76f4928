package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/Masterminds/semver/v3"
	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/crds/v1alpha1"
)

// AnnotationAvailableVersions holds, on a Component, what the last
// CheckUpdates run found (JSON AvailableVersions); the Component reconciler
// shows it as status.availableVersions and the UpdatesChecked condition.
const AnnotationAvailableVersions = "openova.io/available-versions"

// updatesFieldOwner owns only that annotation, like rollbackFieldOwner.
const updatesFieldOwner = "openova-manager-updates"

// AvailableVersions is what the annotation records.
type AvailableVersions struct {
	Versions   []v1alpha1.AvailableVersion `json:"versions,omitempty"`
	CheckedAt  time.Time                   `json:"checkedAt"`
	IndexError string                      `json:"indexError,omitempty"`
}

// WriteAvailableVersionsInput is one check's findings.
type WriteAvailableVersionsInput struct {
	Namespace string
	Updates   []ComponentUpdates
	CheckedAt time.Time
}

// WriteAvailableVersionsResult counts what was written.
type WriteAvailableVersionsResult struct {
	// Changed counts the annotations that changed.
	Changed int
	// WithUpgrades counts the components that have a newer version.
	WithUpgrades int
	// Missing lists components deleted since the check.
	Missing []string `json:",omitempty"`
}

// WriteAvailableVersions records each component's newer versions in its
// annotation, under its own field owner so nothing else of the Component is
// touched. When a component's Helm repository could not be read, the Helm
// releases of the previous check stay (last known) beside the reason.
// Writing the same findings twice changes nothing; a component deleted
// since the check is skipped.
func (k *Kubernetes) WriteAvailableVersions(ctx context.Context, in WriteAvailableVersionsInput) (WriteAvailableVersionsResult, error) {
	var res WriteAvailableVersionsResult
	for _, cu := range in.Updates {
		var (
			next    AvailableVersions
			changed bool
		)
		// The read and the apply form one update: a conflict (the
		// Component changed in between) reads again.
		err := retry.RetryOnConflict(retry.DefaultRetry, func() (err error) {
			next, changed, err = k.writeAvailable(ctx, in.Namespace, cu, in.CheckedAt)
			return err
		})
		switch {
		case apierrors.IsNotFound(err):
			res.Missing = append(res.Missing, cu.Name)
			continue
		case err != nil:
			return res, err
		}
		if changed {
			res.Changed++
		}
		if len(next.Versions) > 0 {
			res.WithUpgrades++
		}
	}
	return res, nil
}

func (k *Kubernetes) writeAvailable(ctx context.Context, namespace string, cu ComponentUpdates, at time.Time) (AvailableVersions, bool, error) {
	var c v1alpha1.Component
	if err := k.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: cu.Name}, &c); err != nil {
		if apierrors.IsNotFound(err) {
			return AvailableVersions{}, false, err
		}
		return AvailableVersions{}, false, fmt.Errorf("read component %s/%s: %w", namespace, cu.Name, err)
	}
	next := AvailableVersions{Versions: cu.Available, CheckedAt: at.UTC().Truncate(time.Second), IndexError: cu.IndexError}
	if cu.IndexError != "" {
		prev, _ := ParseAvailableVersions(c.Annotations[AnnotationAvailableVersions])
		next.Versions = append(next.Versions, lastKnownHelm(prev.Versions, cu)...)
	}
	doc, err := json.Marshal(next)
	if err != nil {
		return next, false, temporal.NewNonRetryableApplicationError("encode available versions: "+err.Error(), ErrInvalidComponent, nil)
	}
	if c.Annotations[AnnotationAvailableVersions] == string(doc) {
		return next, false, nil
	}
	// The resourceVersion makes the apply conditional on what was read. A
	// Component deleted in between is not created again: the apply fails
	// validation (no spec) and the retry finds it gone.
	err = k.applyComponent(ctx, updatesFieldOwner, componentApply{
		Namespace: namespace, Name: cu.Name, ResourceVersion: c.ResourceVersion,
		Annotations: map[string]string{AnnotationAvailableVersions: string(doc)},
	})
	if err != nil {
		if apierrors.IsConflict(err) {
			return next, false, err
		}
		return next, false, fmt.Errorf("write available versions of component %s/%s: %w", namespace, cu.Name, err)
	}
	return next, true, nil
}

// lastKnownHelm keeps the Helm releases of the previous check that are
// still newer than what is installed and not offered by the catalog now.
func lastKnownHelm(prev []v1alpha1.AvailableVersion, cu ComponentUpdates) []v1alpha1.AvailableVersion {
	fresh := map[string]bool{}
	for _, v := range cu.Available {
		fresh[v.Version] = true
	}
	var out []v1alpha1.AvailableVersion
	for _, v := range prev {
		if v.Source == v1alpha1.SourceHelmRepository && !fresh[v.Version] && NewerThan(v, cu.Installed) {
			out = append(out, v)
		}
	}
	return out
}

// ParseAvailableVersions reads the annotation; ok is false when it is
// missing or not valid.
func ParseAvailableVersions(raw string) (AvailableVersions, bool) {
	var av AvailableVersions
	if raw == "" || json.Unmarshal([]byte(raw), &av) != nil {
		return AvailableVersions{}, false
	}
	return av, true
}

// NewerThan reports whether v is newer than the installed version. A Helm
// release whose chart states no software version (Version is the chart
// version) cannot be compared and counts as newer, as does anything when
// the installed version is unknown.
func NewerThan(v v1alpha1.AvailableVersion, installed string) bool {
	if v.Source == v1alpha1.SourceHelmRepository && v.Version == v.ChartVersion {
		return true
	}
	cand, err1 := semver.NewVersion(v.Version)
	cur, err2 := semver.NewVersion(installed)
	if err1 != nil || err2 != nil {
		return true
	}
	return cand.GreaterThan(cur)
}
