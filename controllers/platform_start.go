package controllers

import (
	"context"
	"encoding/json"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/openova-io/core/crds/v1alpha1"
	"github.com/openova-io/core/workflows"
)

// startAll starts the plan's workflows; several upgrades asked for at once
// go as one UpgradeComponents run, dependencies first, stopping at the
// first failure.
func (r *PlatformReconciler) startAll(ctx context.Context, p *v1alpha1.Platform, starts []Start) error {
	var upgrades []Start
	for _, s := range starts {
		if s.InWindow {
			if err := r.scheduleUpgrade(ctx, p, s); err != nil {
				return err
			}
			continue
		}
		if s.Kind == KindUpgrade {
			upgrades = append(upgrades, s)
			continue
		}
		if err := r.start(ctx, p, s); err != nil {
			return err
		}
	}
	switch len(upgrades) {
	case 0:
		return nil
	case 1:
		return r.start(ctx, p, upgrades[0])
	}
	in := workflows.UpgradeComponentsInput{Platform: p.Name, Namespace: p.Namespace, IndexURL: p.Spec.CatalogIndexURL,
		Delivery: delivery(p), ReadyTimeout: r.ReadyTimeout, Generation: p.Generation}
	names := make([]string, 0, len(upgrades))
	for _, s := range upgrades {
		in.Targets = append(in.Targets, workflows.UpgradeTarget{Component: s.Component, To: s.To,
			ConfirmForwardOnly: componentRef(p, s.Component).ConfirmForwardOnly, ConfirmUpstream: componentRef(p, s.Component).ConfirmUpstream})
		names = append(names, s.Component)
	}
	id := workflows.UpgradesID(p.Name)
	_, err := r.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                workflows.TaskQueueManager,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		Memo:                     map[string]any{workflows.MemoPlatformGeneration: p.Generation, workflows.MemoComponents: names, workflows.MemoActor: actorOf(p, names[0])},
		TypedSearchAttributes:    workflows.OperationAttributes(p.Name, "", workflows.OperationUpgrade),
	}, workflows.UpgradeComponentsWorkflow, in)
	if err != nil {
		return fmt.Errorf("start %s: %w", id, err)
	}
	return nil
}

func (r *PlatformReconciler) upgradeInput(p *v1alpha1.Platform, s Start) workflows.UpgradeComponentInput {
	return workflows.UpgradeComponentInput{
		Platform: p.Name, Namespace: p.Namespace, Component: s.Component, To: s.To,
		ConfirmForwardOnly: componentRef(p, s.Component).ConfirmForwardOnly, ConfirmUpstream: componentRef(p, s.Component).ConfirmUpstream,
		IndexURL: p.Spec.CatalogIndexURL,
		Delivery: delivery(p), ReadyTimeout: r.ReadyTimeout,
	}
}

func componentRef(p *v1alpha1.Platform, name string) v1alpha1.ComponentRef {
	for _, c := range p.Spec.Components {
		if c.Name == name {
			return c
		}
	}
	return v1alpha1.ComponentRef{}
}

func (r *PlatformReconciler) start(ctx context.Context, p *v1alpha1.Platform, s Start) error {
	ref := componentRef(p, s.Component)
	var id, wf, op string
	var input any
	switch s.Kind {
	case KindUninstall:
		id, wf, op = workflows.UninstallID(p.Name, s.Component), workflows.UninstallComponentWorkflow, workflows.OperationUninstall
		input = workflows.UninstallComponentInput{
			Platform: p.Name, Namespace: p.Namespace, Component: s.Component,
			IndexURL: p.Spec.CatalogIndexURL, Delivery: delivery(p), Timeout: r.ReadyTimeout,
		}
	case KindUpgrade:
		id, wf, op = workflows.UpgradeID(p.Name, s.Component, s.To), workflows.UpgradeComponentWorkflow, workflows.OperationUpgrade
		input = r.upgradeInput(p, s)
	default:
		id, wf, op = workflows.InstallID(p.Name, s.Component), workflows.InstallComponentsWorkflow, workflows.OperationInstall
		input = workflows.InstallComponentsInput{
			Platform: p.Name, Namespace: p.Namespace, Component: s.Component, Version: ref.Version,
			Optional: ref.Optional, Prefer: pinnedVersions(p), Values: values(p), IndexURL: p.Spec.CatalogIndexURL,
			Delivery: delivery(p), ReadyTimeout: r.ReadyTimeout,
		}
	}
	_, err := r.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                workflows.TaskQueueManager,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		Memo:                     map[string]any{workflows.MemoPlatformGeneration: p.Generation, workflows.MemoActor: actorOf(p, s.Component)},
		TypedSearchAttributes:    workflows.OperationAttributes(p.Name, s.Component, op),
	}, wf, input)
	if err != nil {
		return fmt.Errorf("start %s: %w", id, err)
	}
	return nil
}

// pinnedVersions is the versions the spec asks for, by component.
func pinnedVersions(p *v1alpha1.Platform) map[string]string {
	out := map[string]string{}
	for _, c := range p.Spec.Components {
		if c.Version != "" {
			out[c.Name] = c.Version
		}
	}
	return out
}

func values(p *v1alpha1.Platform) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, c := range p.Spec.Components {
		if c.Values != nil && len(c.Values.Raw) > 0 {
			out[c.Name] = json.RawMessage(c.Values.Raw)
		}
	}
	return out
}

func delivery(p *v1alpha1.Platform) workflows.Delivery {
	return workflows.DeliveryOf(p.Spec.Delivery, p.Spec.Git)
}
