package v1alpha1

import "strings"

// The web UI changes a Platform with server-side apply, one field manager
// per component (and one for the settings), so an apply for one component
// never drops the fields the UI set for another; and it records the
// signed-in user beside the change, which the Platform reconciler copies
// into the memo of the operation it starts (the audit view's "who").
const (
	// FieldManagerUI prefixes the UI's field managers.
	FieldManagerUI = "openova-ui"
	// AnnotationActorPrefix + component holds the user who last changed
	// that component in the UI.
	AnnotationActorPrefix = "actor.openova.io/"
	// AnnotationActorSettings holds the user who last saved the settings.
	AnnotationActorSettings = AnnotationActorPrefix + "settings"
)

// UIFieldManager is the field manager of the UI's changes to one component
// ("settings" for the platform's settings).
func UIFieldManager(component string) string { return FieldManagerUI + "/" + component }

// IsUIFieldManager reports whether a field manager is one of the UI's.
func IsUIFieldManager(manager string) bool {
	return manager == FieldManagerUI || strings.HasPrefix(manager, FieldManagerUI+"/")
}

// AnnotationRetryPrefix + component asks to retry the component's failed
// operation (a rolled-back upgrade waits for this, or for another
// version): its value is the time of the request (RFC 3339), and only an
// operation that started before it is retried. The UI's Retry sets it;
// from a shell: kubectl annotate platform NAME retry.openova.io/COMPONENT="$(date -u +%FT%TZ)" --overwrite
const AnnotationRetryPrefix = "retry.openova.io/"
