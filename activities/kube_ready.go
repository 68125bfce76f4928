package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// waitFor is the bounded wait of the substrate's readiness activities
// (pollMissing at the Flux activities' pace).
func (f *Flux) waitFor(ctx context.Context, deadline time.Time, check func(context.Context) ([]string, error), fail func(missing string) error) error {
	return pollMissing(ctx, deadline, f.poll(), check, fail)
}

// pollMissing is a bounded wait: check lists what is still missing
// (nothing: done), each look is a heartbeat naming it, and at the deadline
// fail turns the last list into the activity's typed error. An error of
// check is the API server's and ends the attempt (Temporal retries it);
// one that is not found is a missing item, not an error.
func pollMissing(ctx context.Context, deadline time.Time, every time.Duration, check func(context.Context) ([]string, error), fail func(missing string) error) error {
	for {
		missing, err := check(ctx)
		if err != nil {
			return err
		}
		if len(missing) == 0 {
			return nil
		}
		state := strings.Join(missing, "; ")
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, "waiting for "+state)
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return fail(state)
		}
		t := time.NewTimer(min(wait, every))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// establishedCRDs lists the CRDs (by name) that do not exist or are not
// Established yet (read as unstructured: the client's scheme has no
// apiextensions types).
func establishedCRDs(ctx context.Context, c client.Client, names ...string) ([]string, error) {
	var missing []string
	for _, name := range names {
		m, err := objectConditions(ctx, c, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name, "Established")
		if err != nil {
			return nil, err
		}
		missing = append(missing, m...)
	}
	return missing, nil
}

// availableDeployments lists the Deployments of namespace that do not
// exist or have not rolled out their current generation with at least one
// available replica.
func availableDeployments(ctx context.Context, c client.Client, namespace string, names ...string) ([]string, error) {
	var missing []string
	for _, name := range names {
		d := &appsv1.Deployment{}
		err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, d)
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, "Deployment "+namespace+"/"+name+" (not created)")
		case err != nil:
			return nil, fmt.Errorf("read Deployment %s/%s: %w", namespace, name, err)
		case d.Status.ObservedGeneration < d.Generation || d.Status.AvailableReplicas < 1:
			missing = append(missing, fmt.Sprintf("Deployment %s/%s (%d available)", namespace, name, d.Status.AvailableReplicas))
		}
	}
	return missing, nil
}

// objectConditions reads an object of any kind (cluster-scoped when
// namespace is empty) and says which of the wanted conditions are not
// True, with their reasons: nil when all are. A kind the cluster does not
// serve yet, or an object not there yet, is missing too.
func objectConditions(ctx context.Context, c client.Client, apiVersion, kind, namespace, name string, want ...string) ([]string, error) {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	what := kind + " " + name
	if namespace != "" {
		what = kind + " " + namespace + "/" + name
	}
	err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, u)
	switch {
	case meta.IsNoMatchError(err):
		return []string{what + " (its kind is not served yet)"}, nil
	case apierrors.IsNotFound(err):
		return []string{what + " (not created)"}, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	state := map[string]string{}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, raw := range conds {
		m, _ := raw.(map[string]any)
		typ, _ := m["type"].(string)
		status, _ := m["status"].(string)
		reason, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		if status == "True" {
			state[typ] = ""
			continue
		}
		state[typ] = strings.TrimSpace(fmt.Sprintf("%s=%s %s %s", typ, status, reason, msg))
	}
	var not []string
	for _, w := range want {
		s, ok := state[w]
		switch {
		case !ok:
			not = append(not, w+" not reported")
		case s != "":
			not = append(not, s)
		}
	}
	if len(not) == 0 {
		return nil, nil
	}
	return []string{what + " (" + strings.Join(not, ", ") + ")"}, nil
}
