package v1alpha1

// InstalledVersions maps each Component to its version: the one Crossplane
// reported installed, else the one being released. A component mid-release
// counts as installed, so a second plan never releases it twice. The
// install activities and the UI's dependency dialog both plan from it.
func InstalledVersions(items []Component) map[string]string {
	out := make(map[string]string, len(items))
	for _, comp := range items {
		v := comp.Status.InstalledVersion
		if v == "" {
			v = comp.Spec.Version
		}
		out[comp.Name] = v
	}
	return out
}
