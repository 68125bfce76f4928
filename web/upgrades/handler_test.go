package upgrades

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/web/operations"
	"github.com/openova-io/core/web/platforms"
	"github.com/openova-io/core/worker/schedules"
)

// fakePlatforms is one platform with its components; it records changes.
type fakePlatforms struct {
	p       *v1alpha1.Platform
	comps   []v1alpha1.Component
	applied []platforms.Change
}

func (f *fakePlatforms) Platform(context.Context, string) (*v1alpha1.Platform, error) {
	return f.p, nil
}
func (f *fakePlatforms) Components(context.Context, string) ([]v1alpha1.Component, error) {
	return f.comps, nil
}
func (f *fakePlatforms) Catalog(context.Context, *v1alpha1.Platform) (*catalog.Catalog, error) {
	return catalog.Default(), nil
}
func (f *fakePlatforms) ApplyComponent(_ context.Context, _ string, ch platforms.Change, _ string) (platforms.Applied, error) {
	f.applied = append(f.applied, ch)
	return platforms.Applied{}, nil
}
func (f *fakePlatforms) RetryComponent(context.Context, string, string, time.Time, string) error {
	return nil
}

type noOperations struct{}

func (noOperations) Snapshot(context.Context, string) (operations.Snapshot, error) {
	return operations.Snapshot{}, nil
}

type noSchedules struct{}

func (noSchedules) List(context.Context, string) ([]schedules.Scheduled, error) { return nil, nil }
func (noSchedules) Pause(context.Context, string, string) error                 { return nil }
func (noSchedules) Resume(context.Context, string, string) error                { return nil }
func (noSchedules) Cancel(context.Context, string) error                        { return nil }

// An upgrade of a component the manager cannot upgrade (adopted, where a
// change would not last) is refused beside the version field, and the
// platform is left as it was: a form posted without the page (the page
// offers none) gets the same answer as the page's reason.
func TestUpgradeOfAnAdoptedComponentTheManagerCannotUpgrade(t *testing.T) {
	newest, previous := releases(t, "cilium")
	from, to := previous.Version, newest.Version
	a := v1alpha1.Adopted{Name: "cilium", Version: from, Chart: "cilium", HelmChart: "kube-system/cilium",
		InstalledBy: "k3s HelmChart kube-system/cilium in each server's manifests folder, which k3s applies again at every start",
		Workloads:   []v1alpha1.Workload{{Kind: v1alpha1.KindDaemonSet, Namespace: "kube-system", Name: "cilium"}}}
	for _, upgrade := range []string{"", v1alpha1.UpgradeHelmChart} {
		f := &fakePlatforms{p: &v1alpha1.Platform{ObjectMeta: metav1.ObjectMeta{Name: "acme"},
			Spec: v1alpha1.PlatformSpec{Components: []v1alpha1.ComponentRef{{Name: "cilium", Version: from}}}}}
		a.Upgrade = upgrade
		f.comps = []v1alpha1.Component{{ObjectMeta: metav1.ObjectMeta{Name: "cilium", Annotations: map[string]string{v1alpha1.AnnotationAdopted: a.JSON()}},
			Spec: v1alpha1.ComponentSpec{Platform: "acme", Chart: "cilium", Version: from}, Status: v1alpha1.ComponentStatus{InstalledVersion: from}}}
		h := &Handler{Platforms: f, Operations: noOperations{}, Schedules: noSchedules{}, Now: time.Now}
		e := echo.New()
		h.Routes(e)
		req := httptest.NewRequest(http.MethodPost, "/platforms/acme/upgrades/cilium",
			strings.NewReader(url.Values{"to": {to}, "action": {"now"}}.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if upgrade != "" {
			require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
			require.Equal(t, []platforms.Change{{Component: "cilium", Version: to, ClearUpgradeAt: true}}, f.applied)
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
		require.Contains(t, rec.Body.String(), "The manager does not upgrade cilium: it runs as the bootstrap installed it")
		require.Empty(t, f.applied, "the platform is left as it was")
	}
}
