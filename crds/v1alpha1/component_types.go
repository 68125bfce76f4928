package v1alpha1

import (
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ComponentSpec is one installed component as the manager released it. The
// manager writes it (from the catalog and the Platform); operators read it.
type ComponentSpec struct {
	// Platform this component belongs to.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	Platform string `json:"platform"`
	// Chart is the Helm chart name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Chart string `json:"chart"`
	// Repository is the Helm repository URL.
	// +kubebuilder:validation:Pattern=`^(https?|oci)://`
	// +optional
	Repository string `json:"repository,omitempty"`
	// +kubebuilder:validation:Pattern=`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`
	Version string `json:"version"`
	// ChartVersion is the Helm chart version that ships Version; the
	// component is at Version once Crossplane reports this chart deployed.
	// +kubebuilder:validation:Pattern=`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`
	// +optional
	ChartVersion string `json:"chartVersion,omitempty"`
	// +kubebuilder:validation:Enum=mandatory;a-la-carte;meta-platform
	// +optional
	Category string `json:"category,omitempty"`
	// +optional
	// +listType=set
	Dependencies []string `json:"dependencies,omitempty"`
	// +optional
	Values *apiextensionsv1.JSON `json:"values,omitempty"`
}

// ComponentStatus mirrors the component's Crossplane composite resource.
type ComponentStatus struct {
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	Phase string `json:"phase,omitempty"`
	// +optional
	Health string `json:"health,omitempty"`
	// +optional
	InstalledVersion string `json:"installedVersion,omitempty"`
	// AvailableVersions are the versions newer than the installed one, as
	// the last CheckUpdates run found them: catalog versions first (an
	// upgrade can go there), then chart releases of the Helm repository
	// that the catalog does not list yet.
	// +optional
	AvailableVersions []AvailableVersion `json:"availableVersions,omitempty"`
	// +optional
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	LastReconciled *metav1.Time `json:"lastReconciled,omitempty"`
}

// AvailableVersion is a newer version the catalog or the chart's Helm
// repository offers.
type AvailableVersion struct {
	// Version is the software version ("v11.5.0"); for a Helm release
	// whose chart states no semver appVersion, the chart version.
	Version   string `json:"version"`
	Changelog string `json:"changelog,omitempty"`
	// +optional
	ForwardOnly bool `json:"forwardOnly,omitempty"`
	// Source says where the version was found: only catalog versions can
	// be upgraded to.
	// +kubebuilder:validation:Enum=catalog;helm-repository
	// +optional
	Source string `json:"source,omitempty"`
	// ChartVersion is the Helm chart version that ships Version.
	// +optional
	ChartVersion string `json:"chartVersion,omitempty"`
}

// ChartOnly is a Helm repository release whose chart states no software
// version: Version is its chart version, which says nothing about what
// runs, so it cannot be compared with the installed version.
func (v AvailableVersion) ChartOnly() bool {
	return v.Source == SourceHelmRepository && v.Version == v.ChartVersion
}

// UpstreamRelease is the release of version that the update check found in
// the chart's Helm repository and the catalog does not list, when it found
// one that names its software version: the only upstream release an
// upgrade may target, with the chart version the check read (a request
// never supplies one).
func (s ComponentStatus) UpstreamRelease(version string) (AvailableVersion, bool) {
	want := strings.TrimPrefix(version, "v")
	for _, v := range s.AvailableVersions {
		if v.Source == SourceHelmRepository && !v.ChartOnly() && strings.TrimPrefix(v.Version, "v") == want {
			return v, true
		}
	}
	return AvailableVersion{}, false
}

// Sources of an AvailableVersion.
const (
	SourceCatalog        = "catalog"
	SourceHelmRepository = "helm-repository"
)

// Endpoint is a URL the component serves.
type Endpoint struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Component is one component of a platform, released through Crossplane.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=comp
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.installedVersion`
// +kubebuilder:printcolumn:name="Health",type=string,JSONPath=`.status.health`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Component struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ComponentSpec   `json:"spec"`
	Status ComponentStatus `json:"status,omitempty"`
}

// ComponentList is a list of components.
// +kubebuilder:object:root=true
type ComponentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Component `json:"items"`
}

func init() { SchemeBuilder.Register(&Component{}, &ComponentList{}) }
