package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/openova-io/core/workflows"
)

// ensureNamespace re-checks on every start what the first start set up: the
// namespace exists, keeps history for MinRetention, and knows the search
// attributes the UI filters on. On the embedded server it repairs both; on an
// external cluster, which its operators own, it only warns.
func ensureNamespace(ctx context.Context, c client.Client, cfg Config, log *slog.Logger) error {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: cfg.Namespace})
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("namespace %q does not exist on Temporal at %s: create it (temporal operator namespace create --namespace %s --retention 2160h) or pass --temporal-namespace", cfg.Namespace, cfg.Address, cfg.Namespace)
	}
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", cfg.Namespace, err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got < MinRetention {
		if !cfg.Embedded() {
			log.Warn("namespace retention is shorter than the audit log needs; raise it with temporal operator namespace update --retention 2160h",
				"namespace", cfg.Namespace, "retention", got.String(), "want", MinRetention.String())
		} else {
			_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
				Namespace: cfg.Namespace,
				Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(MinRetention)},
			})
			if err != nil {
				return fmt.Errorf("raise retention of namespace %s to %s: %w", cfg.Namespace, MinRetention, err)
			}
			log.Info("raised namespace retention", "namespace", cfg.Namespace, "from", got.String(), "to", MinRetention.String())
		}
	}
	return ensureSearchAttributes(ctx, c, cfg, log)
}

func ensureSearchAttributes(ctx context.Context, c client.Client, cfg Config, log *slog.Logger) error {
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: cfg.Namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of %s: %w", cfg.Namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range searchAttributeTypes() {
		if _, ok := list.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: cfg.Namespace, SearchAttributes: missing,
	})
	if err != nil && !cfg.Embedded() {
		log.Warn("cannot add the search attributes the UI filters on; ask the cluster's operators to add them",
			"namespace", cfg.Namespace, "error", err.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("add search attributes to %s: %w", cfg.Namespace, err)
	}
	log.Info("added search attributes", "namespace", cfg.Namespace, "count", len(missing))
	return nil
}

func searchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range workflows.SearchAttributes() {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}
