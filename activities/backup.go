package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/openova-io/core/catalog"
)

// RunBackupInput is one backup the catalog declares for a release.
type RunBackupInput struct {
	// Namespace is the platform's: the backup is created there unless
	// the catalog's backup names its own (see ns).
	Namespace string
	Platform  string
	Component string
	// Version is the release whose backup this is (it names the object).
	Version  string
	Backup   catalog.Backup
	Deadline time.Time
}

// ns is where the backup and its volume are created.
func (in RunBackupInput) ns() string {
	if in.Backup.Namespace != "" {
		return in.Backup.Namespace
	}
	return in.Namespace
}

// RunBackupResult names the backup object, for the progress message.
type RunBackupResult struct {
	Kind string
	Name string
}

// BackupName is the backup object's name: one per component and release,
// so a retried or resumed upgrade finds the backup it started.
func BackupName(component, version string) string {
	return component + "-before-" + strings.ReplaceAll(strings.ReplaceAll(version, ".", "-"), "+", "-")
}

// RunBackup creates the backup object unless it exists, then polls its
// status until the catalog's done value (or failed value) shows up, or the
// deadline passes. It heartbeats while it waits.
func (k *Kubernetes) RunBackup(ctx context.Context, in RunBackupInput) (RunBackupResult, error) {
	gv, err := schema.ParseGroupVersion(in.Backup.APIVersion)
	if err != nil || in.Backup.Kind == "" {
		return RunBackupResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("backup of %s %s: apiVersion %q / kind %q is not a Kubernetes type", in.Component, in.Version, in.Backup.APIVersion, in.Backup.Kind), ErrInvalidBackup, nil)
	}
	name := BackupName(in.Component, in.Version)
	res := RunBackupResult{Kind: in.Backup.Kind, Name: name}
	u := &unstructured.Unstructured{Object: map[string]any{}}
	if in.Backup.Spec != nil {
		u.Object["spec"] = runtime.DeepCopyJSONValue(in.Backup.Spec)
	}
	if v := in.Backup.Volume; v != nil {
		if err := k.backupClaim(ctx, in, name, *v); err != nil {
			return res, err
		}
		if err := mountClaim(u, v.Name, name); err != nil {
			return res, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("backup of %s %s: %v", in.Component, in.Version, err), ErrInvalidBackup, nil)
		}
	}
	u.SetGroupVersionKind(gv.WithKind(in.Backup.Kind))
	u.SetNamespace(in.ns())
	u.SetName(name)
	u.SetLabels(map[string]string{LabelPlatform: in.Platform, LabelComponent: in.Component})
	err = k.Client.Create(ctx, u)
	switch {
	case apierrors.IsAlreadyExists(err):
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || meta404(err):
		return res, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("backup %s %s/%s cannot be created: %v", in.Backup.Kind, in.ns(), name, err), ErrInvalidBackup, nil)
	case err != nil:
		return res, fmt.Errorf("create backup %s %s/%s: %w", in.Backup.Kind, in.ns(), name, err)
	}
	for {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(u.GroupVersionKind())
		if err := k.Client.Get(ctx, client.ObjectKey{Namespace: in.ns(), Name: name}, got); err != nil {
			return res, fmt.Errorf("read backup %s %s/%s: %w", in.Backup.Kind, in.ns(), name, err)
		}
		if field(got, in.Backup.Done.Path) == in.Backup.Done.Equals {
			return res, nil
		}
		if f := in.Backup.Failed; f != nil && field(got, f.Path) == f.Equals {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("backup %s %s/%s failed (%s is %s); the upgrade was not started",
				in.Backup.Kind, in.ns(), name, f.Path, f.Equals), ErrBackupFailed, nil)
		}
		now := fmt.Sprintf("%s is %q", in.Backup.Done.Path, field(got, in.Backup.Done.Path))
		if time.Now().After(in.Deadline) {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("backup %s %s/%s not done by %s (%s); the upgrade was not started",
				in.Backup.Kind, in.ns(), name, clock(in.Deadline), now), ErrBackupTimedOut, nil)
		}
		activity.RecordHeartbeat(ctx, now)
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(k.poll()):
		}
	}
}

// backupClaim creates the claim a backup Job writes to, named like the
// backup, unless it exists: a retried backup reuses it, and it stays after
// the upgrade (with the dump a restore needs) until an operator deletes it.
func (k *Kubernetes) backupClaim(ctx context.Context, in RunBackupInput, name string, v catalog.BackupVolume) error {
	size, err := resource.ParseQuantity(v.Size)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("backup of %s %s: volume size %q: %v", in.Component, in.Version, v.Size, err), ErrInvalidBackup, nil)
	}
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: in.ns(),
			Labels: map[string]string{LabelPlatform: in.Platform, LabelComponent: in.Component}},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	switch err := k.Client.Create(ctx, pvc); {
	case err == nil, apierrors.IsAlreadyExists(err):
		return nil
	case apierrors.IsInvalid(err):
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("backup volume %s/%s cannot be created: %v", in.ns(), name, err), ErrInvalidBackup, nil)
	default:
		return fmt.Errorf("create backup volume %s/%s: %w", in.ns(), name, err)
	}
}

// mountClaim sets the Job's pod volume of that name to the claim, replacing
// a volume of the same name the catalog's spec may carry.
func mountClaim(job *unstructured.Unstructured, volume, claim string) error {
	vols, _, err := unstructured.NestedSlice(job.Object, "spec", "template", "spec", "volumes")
	if err != nil {
		return fmt.Errorf("spec.template.spec.volumes: %w", err)
	}
	out := []any{map[string]any{"name": volume, "persistentVolumeClaim": map[string]any{"claimName": claim}}}
	for _, v := range vols {
		if m, ok := v.(map[string]any); ok && m["name"] == volume {
			continue
		}
		out = append(out, v)
	}
	return unstructured.SetNestedSlice(job.Object, out, "spec", "template", "spec", "volumes")
}

// field reads a dotted path of an object as text ("" when absent).
func field(u *unstructured.Unstructured, path string) string {
	v, ok, err := unstructured.NestedFieldNoCopy(u.Object, strings.Split(path, ".")...)
	if err != nil || !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// meta404 is a type the API server does not serve (its CRD is missing).
func meta404(err error) bool {
	return meta.IsNoMatchError(err) || apierrors.IsNotFound(err)
}
