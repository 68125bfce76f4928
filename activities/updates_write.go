package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
)

// updatesFieldOwner owns only that annotation, like rollbackFieldOwner.
const updatesFieldOwner = "openova-manager-updates"

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
			next    v1alpha1.AvailableVersions
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

func (k *Kubernetes) writeAvailable(ctx context.Context, namespace string, cu ComponentUpdates, at time.Time) (v1alpha1.AvailableVersions, bool, error) {
	var c v1alpha1.Component
	if err := k.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: cu.Name}, &c); err != nil {
		if apierrors.IsNotFound(err) {
			return v1alpha1.AvailableVersions{}, false, err
		}
		return v1alpha1.AvailableVersions{}, false, fmt.Errorf("read component %s/%s: %w", namespace, cu.Name, err)
	}
	next := v1alpha1.AvailableVersions{Versions: cu.Available, CheckedAt: at.UTC().Truncate(time.Second), IndexError: cu.IndexError}
	if cu.IndexError != "" {
		prev, _ := v1alpha1.ParseAvailableVersions(c.Annotations[v1alpha1.AnnotationAvailableVersions])
		next.Versions = append(next.Versions, lastKnownHelm(prev.Versions, cu)...)
	}
	doc, err := json.Marshal(next)
	if err != nil {
		return next, false, temporal.NewNonRetryableApplicationError("encode available versions: "+err.Error(), ErrInvalidComponent, nil)
	}
	if c.Annotations[v1alpha1.AnnotationAvailableVersions] == string(doc) {
		return next, false, nil
	}
	// The resourceVersion makes the apply conditional on what was read. A
	// Component deleted in between is not created again: the apply fails
	// validation (no spec) and the retry finds it gone.
	err = k.applyComponent(ctx, updatesFieldOwner, componentApply{
		Namespace: namespace, Name: cu.Name, ResourceVersion: c.ResourceVersion,
		Annotations: map[string]string{v1alpha1.AnnotationAvailableVersions: string(doc)},
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
		if v.Source == v1alpha1.SourceHelmRepository && !fresh[v.Version] && catalog.NewerThan(v.Version, cu.Installed, v.ChartOnly()) {
			out = append(out, v)
		}
	}
	return out
}
