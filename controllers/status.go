package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crclient "sigs.k8s.io/controller-runtime/pkg/client"
)

// patchStatus makes next the status of obj (status points at obj's status
// field) and merge-patches the status subresource, only when next differs
// from what obj holds: an idle world causes no writes, and the reconcile
// time, which stamp sets on next, moves only with a real change. Both
// reconcilers write status through it, so neither can forget the check or
// update instead of patch. The API server's error comes back unwrapped.
func patchStatus[S any](ctx context.Context, c crclient.Client, obj crclient.Object, status *S, next S,
	stamp func(*S, *metav1.Time)) error {
	if equality.Semantic.DeepEqual(*status, next) {
		return nil
	}
	now := metav1.Now()
	stamp(&next, &now)
	base := obj.DeepCopyObject().(crclient.Object)
	*status = next
	return c.Status().Patch(ctx, obj, crclient.MergeFrom(base))
}
