package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/netguard"
)

// Limits on fetching a chart's Helm repository index.
const (
	// helmIndexTimeout is per repository; the activity heartbeats as each
	// repository is done, so its heartbeat timeout must exceed it.
	helmIndexTimeout = 30 * time.Second
	// helmIndexParallel repositories are fetched at once, which bounds the
	// whole scan: the catalog's twenty-odd repositories take at most a few
	// timeouts even when the network is down.
	helmIndexParallel = 4
	// maxHelmVersions keeps the newest chart releases the catalog does not
	// list: an operator acts on the newest few, and the annotation and the
	// status stay small for a component installed long ago.
	maxHelmVersions = 10
)

// CheckUpdatesInput names the platform whose components to check.
type CheckUpdatesInput struct {
	Namespace string
	Platform  string
	IndexURL  string `json:",omitempty"`
}

// CheckUpdatesResult is what each installed component could move to.
type CheckUpdatesResult struct {
	Components []ComponentUpdates
}

// ComponentUpdates is the newer versions of one installed component:
// catalog versions first, newest first, then the chart's Helm releases that
// the catalog does not list, newest first.
type ComponentUpdates struct {
	Name      string
	Installed string
	Available []v1alpha1.AvailableVersion `json:",omitempty"`
	// IndexError says why the chart's Helm repository could not be read
	// (one line, naming the repository). When set, Available holds only the
	// catalog versions and the writer keeps the last known Helm releases.
	IndexError string `json:",omitempty"`
}

// CheckUpdates lists, for every installed component of the platform, the
// newer versions in the catalog and, when the platform asks for them
// (spec.checkUpstreamCharts), in the chart's Helm repository. A Helm
// repository that cannot be read does not fail the check: the components
// whose chart lives there carry the reason, so one repository that is down
// never hides what every other one offers.
func (a *Catalog) CheckUpdates(ctx context.Context, in CheckUpdatesInput) (CheckUpdatesResult, error) {
	cat, installed, err := a.state(ctx, in.IndexURL, in.Namespace, in.Platform)
	if err != nil {
		return CheckUpdatesResult{}, err
	}
	names := make([]string, 0, len(installed))
	for name := range installed {
		names = append(names, name)
	}
	sort.Strings(names)
	upstream, err := a.checksUpstream(ctx, in.Namespace, in.Platform)
	if err != nil {
		return CheckUpdatesResult{}, err
	}
	indexes := map[string]helmIndexFetch{}
	if upstream {
		if indexes, err = a.fetchHelmIndexes(ctx, cat, names); err != nil {
			return CheckUpdatesResult{}, err
		}
	}
	out := CheckUpdatesResult{Components: make([]ComponentUpdates, 0, len(names))}
	for _, name := range names {
		cu := ComponentUpdates{Name: name, Installed: installed[name]}
		comp, ok := cat.Get(name)
		if !ok { // not (or no longer) in the catalog: nothing to compare with
			out.Components = append(out.Components, cu)
			continue
		}
		for _, v := range comp.Newer(cu.Installed) {
			cu.Available = append(cu.Available, v1alpha1.AvailableVersion{
				Version: v.Version, ChartVersion: v.HelmChartVersion(), Changelog: v.Changelog,
				ForwardOnly: v.ForwardOnly, Source: v1alpha1.SourceCatalog,
			})
		}
		if idx, ok := indexes[newestChart(comp).Repository]; ok {
			helm, err := helmOnly(comp, cu.Installed, idx)
			if err != nil {
				cu.IndexError = err.Error()
			}
			cu.Available = append(cu.Available, helm...)
		}
		out.Components = append(out.Components, cu)
	}
	return out, nil
}

// checksUpstream says whether the platform asks for its charts' upstream
// releases (spec.checkUpstreamCharts). A platform that is gone asks for
// nothing more.
func (a *Catalog) checksUpstream(ctx context.Context, namespace, platform string) (bool, error) {
	var p v1alpha1.Platform
	err := a.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: platform}, &p)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read platform %s/%s: %w", namespace, platform, err)
	}
	return p.Spec.CheckUpstreamCharts, nil
}

// fetchHelmIndexes fetches each distinct HTTP(S) repository of the named
// components once, a few at a time, and heartbeats as each one is done.
// oci:// repositories have no index.yaml and are left out. The error is
// the activity's own cancellation or timeout only.
func (a *Catalog) fetchHelmIndexes(ctx context.Context, cat *catalog.Catalog, names []string) (map[string]helmIndexFetch, error) {
	var repos []string
	seen := map[string]bool{}
	for _, name := range names {
		comp, ok := cat.Get(name)
		if !ok || seen[newestChart(comp).Repository] {
			continue
		}
		if r := newestChart(comp).Repository; strings.HasPrefix(r, "http://") || strings.HasPrefix(r, "https://") {
			seen[r] = true
			repos = append(repos, r)
		}
	}
	type fetched struct {
		repo string
		idx  helmIndexFetch
	}
	activity.RecordHeartbeat(ctx, 0) // the catalog is read: the scan starts
	done := make(chan fetched, len(repos))
	slots := make(chan struct{}, helmIndexParallel)
	for _, repo := range repos {
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			done <- fetched{repo, a.fetchHelmIndex(ctx, repo)}
		}()
	}
	out := make(map[string]helmIndexFetch, len(repos))
	for range repos {
		f := <-done
		out[f.repo] = f.idx
		activity.RecordHeartbeat(ctx, len(out))
	}
	// Cancelled or timed out: the failures are not the repositories' fault.
	return out, ctx.Err()
}

// helmIndexFetch is one repository's index.yaml, or why it could not be read.
type helmIndexFetch struct {
	url  string // redacted, for messages
	data []byte
	err  error
}

// fetchHelmIndex gets <repository>/index.yaml with a size cap and a timeout.
// Errors name the repository without credentials and fit on one line.
func (a *Catalog) fetchHelmIndex(ctx context.Context, repository string) helmIndexFetch {
	raw, err := url.JoinPath(repository, "index.yaml")
	if err != nil {
		return helmIndexFetch{url: redactURL(repository), err: fmt.Errorf("helm index %s: not a valid URL", redactURL(repository))}
	}
	f := helmIndexFetch{url: redactURL(raw)}
	fail := func(format string, args ...any) helmIndexFetch {
		f.err = fmt.Errorf("helm index %s: %s", f.url, oneLine(fmt.Sprintf(format, args...)))
		return f
	}
	hc := a.HTTP
	if hc == nil {
		hc = netguard.Policy{}.Client(0)
	}
	ctx, cancel := context.WithTimeout(ctx, helmIndexTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fail("not a valid URL")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fail("%v", unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fail("HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, catalog.MaxHelmIndexSize+1))
	if err != nil {
		return fail("read: %v", unwrapURLError(err))
	}
	if len(data) > catalog.MaxHelmIndexSize {
		return fail("larger than %d MiB", catalog.MaxHelmIndexSize>>20)
	}
	f.data = data
	return f
}

// helmOnly lists the chart's stable releases newer than what is installed
// that the catalog does not list, newest first and at most maxHelmVersions.
// A chart version shipping a software version the catalog already offers is
// left out: the catalog entry is the one to upgrade to.
func helmOnly(comp *catalog.Component, installed string, idx helmIndexFetch) ([]v1alpha1.AvailableVersion, error) {
	if idx.err != nil {
		return nil, idx.err
	}
	releases, err := catalog.ParseHelmIndex(idx.data, newestChart(comp).Name)
	if err != nil {
		return nil, fmt.Errorf("helm index %s: %s", idx.url, oneLine(err.Error()))
	}
	var out []v1alpha1.AvailableVersion
	for _, o := range comp.HelmOffers(releases, installed, maxHelmVersions) {
		out = append(out, v1alpha1.AvailableVersion{
			Version: o.Version, ChartVersion: o.Release.ChartVersion, Source: v1alpha1.SourceHelmRepository,
			Changelog: catalog.HelmChangelog(o.Release, strings.TrimSuffix(idx.url, "/index.yaml")),
		})
	}
	return out, nil
}

// newestChart is the chart of the component's newest release: after a
// chart move, upstream's new releases are in the new chart's repository.
func newestChart(comp *catalog.Component) catalog.Chart { return comp.ChartOf(comp.Latest()) }

// oneLine keeps the first line of a message: index errors go into an
// annotation and a condition message.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
