package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PlatformSpec is the platform the operator wants.
// +kubebuilder:validation:XValidation:rule="self.delivery != 'GitOps' || has(self.git)",message="spec.git is required when spec.delivery is GitOps",fieldPath=".git",reason=FieldValueRequired
type PlatformSpec struct {
	Organization Organization `json:"organization"`

	// Regions the platform spans: one or two, exactly one primary.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=2
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:XValidation:rule="self.filter(r, r.role == 'primary').size() == 1",message="exactly one region must have role primary"
	Regions []Region `json:"regions"`

	// Components the platform should have.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	// +listType=map
	// +listMapKey=name
	Components []ComponentRef `json:"components,omitempty"`

	// Delivery chooses how component releases reach the cluster: Direct
	// (server-side apply) or GitOps (a commit to spec.git, applied by Flux).
	// +kubebuilder:validation:Enum=Direct;GitOps
	// +kubebuilder:default=Direct
	// +optional
	Delivery string `json:"delivery,omitempty"`

	// Git is the platform repository used in GitOps mode.
	// +optional
	Git *GitRepository `json:"git,omitempty"`

	// MaintenanceWindow, when set, holds version bumps of installed
	// components until the window next opens: each becomes a scheduled
	// upgrade (a Temporal Schedule) instead of starting at once.
	// +optional
	MaintenanceWindow *MaintenanceWindow `json:"maintenanceWindow,omitempty"`

	// CatalogIndexURL adds components and versions from a remote catalog index.
	// The manager fetches it, so it may not point at a link-local or cloud
	// metadata address.
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[^:/]+://([^/@?#]*@)?(169[.]254[.][0-9]+[.][0-9]+|100[.]100[.]100[.]200|168[.]63[.]129[.]16|[[](?i:fe[89ab][0-9a-f]:[^]]*|fd00:ec2::254|fd20:ce::254|::ffff:169[.]254[.][0-9.]+)[]]|(?i:metadata([.]google[.]internal|[.]goog)?|instance-data([.]ec2[.]internal)?)[.]?)(:[0-9]*)?([/?#].*)?$')",message="points at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, metadata.google.internal, ...), where the machine's cloud credentials are served: openova does not fetch from there; give the address of the catalog server itself"
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	CatalogIndexURL string `json:"catalogIndexURL,omitempty"`

	// CheckUpstreamCharts makes the scheduled update check also read each
	// installed component's Helm repository (the chart's index.yaml) and
	// list the chart's newer releases that the catalog does not list yet,
	// as "upstream, not yet in the catalog". Off by default: the check then
	// reads no repository but the catalog and its index, so a platform
	// without internet access sees no unreachable repositories.
	// +optional
	CheckUpstreamCharts bool `json:"checkUpstreamCharts,omitempty"`
}

// MaintenanceWindow is a recurring time at which upgrades may start.
type MaintenanceWindow struct {
	// Days of the week the window opens.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=7
	// +kubebuilder:validation:items:Enum=Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday
	// +listType=set
	Days []string `json:"days"`
	// Start is the time of day the window opens, HH:MM (24 h).
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	Start string `json:"start"`
	// TimeZone is an IANA time zone name, e.g. Europe/Berlin (default UTC).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	TimeZone string `json:"timeZone,omitempty"`
}

// Organization owns the platform.
type Organization struct {
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`
	// +kubebuilder:validation:Pattern=`^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$`
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Domain string `json:"domain,omitempty"`
}

// Region is one cluster of the platform.
type Region struct {
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`
	// +kubebuilder:validation:Enum=primary;standby
	Role string `json:"role"`
}

// ComponentRef asks for one component of the catalog.
type ComponentRef struct {
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`
	// Version wanted; empty means the latest the catalog offers.
	// +kubebuilder:validation:Pattern=`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`
	// +optional
	Version string `json:"version,omitempty"`
	// Enabled false uninstalls the component (the default is true).
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// Optional dependencies chosen for this component.
	// +optional
	// +listType=set
	Optional []string `json:"optional,omitempty"`
	// Values passed to the component's Helm chart.
	// +optional
	Values *apiextensionsv1.JSON `json:"values,omitempty"`
	// ConfirmForwardOnly accepts crossing a forward-only release of the
	// catalog (one that cannot be rolled back past) when Version moves up.
	// +optional
	ConfirmForwardOnly bool `json:"confirmForwardOnly,omitempty"`
	// ConfirmUpstream accepts upgrading to an upstream release the catalog
	// does not list (one the update check found in the chart's Helm
	// repository): openova has not checked its images, requirements or
	// data migrations, so no backup runs first for it.
	// +optional
	ConfirmUpstream bool `json:"confirmUpstream,omitempty"`
	// UpgradeAt holds a change of Version until this time (a scheduled
	// upgrade, a Temporal Schedule), ahead of any maintenance window. A
	// time already past is as if unset.
	// +optional
	UpgradeAt *metav1.Time `json:"upgradeAt,omitempty"`
}

// IsEnabled reports whether the component is wanted.
func (c ComponentRef) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// GitRepository is where GitOps mode commits manifests.
type GitRepository struct {
	// URL of the repository; not at a link-local or cloud metadata address.
	// +kubebuilder:validation:Pattern=`^(https?|ssh)://`
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[^:/]+://([^/@?#]*@)?(169[.]254[.][0-9]+[.][0-9]+|100[.]100[.]100[.]200|168[.]63[.]129[.]16|[[](?i:fe[89ab][0-9a-f]:[^]]*|fd00:ec2::254|fd20:ce::254|::ffff:169[.]254[.][0-9.]+)[]]|(?i:metadata([.]google[.]internal|[.]goog)?|instance-data([.]ec2[.]internal)?)[.]?)(:[0-9]*)?([/?#].*)?$')",message="points at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, metadata.google.internal, ...), where the machine's cloud credentials are served: openova does not fetch from there; give the address of the Git server itself"
	URL string `json:"url"`
	// +kubebuilder:default=main
	// +optional
	Branch string `json:"branch,omitempty"`
	// Path inside the repository that Flux applies.
	// +kubebuilder:default=platform
	// +optional
	Path string `json:"path,omitempty"`
	// SecretRef names a Secret in the platform's namespace with username
	// and password (or token) for the repository, and url: the repository
	// (or Git host) they are for, the only host they are sent to.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}

// PlatformStatus is what the manager observed.
type PlatformStatus struct {
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	Phase string `json:"phase,omitempty"`
	// Health summarises the components, e.g. "3/4 healthy".
	// +optional
	Health string `json:"health,omitempty"`
	// Summary of installed components for `kubectl get`, e.g. "3/4".
	// +optional
	ComponentsReady string `json:"componentsReady,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=name
	Components []ComponentSummary `json:"components,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// UpgradesAvailable counts the components with a newer version
	// available (the dashboard's "2 upgrades available").
	// +optional
	UpgradesAvailable int32 `json:"upgradesAvailable,omitempty"`
	// +optional
	LastReconciled *metav1.Time `json:"lastReconciled,omitempty"`
}

// ComponentSummary is one component's line in the platform status.
type ComponentSummary struct {
	Name    string `json:"name"`
	Status  string `json:"status,omitempty"`
	Version string `json:"version,omitempty"`
}

// Platform is one OpenOva platform: its organization, regions and components.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=plat
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Health",type=string,JSONPath=`.status.health`
// +kubebuilder:printcolumn:name="Components",type=string,JSONPath=`.status.componentsReady`
// +kubebuilder:printcolumn:name="Upgrades",type=integer,JSONPath=`.status.upgradesAvailable`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Platform struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PlatformSpec   `json:"spec"`
	Status PlatformStatus `json:"status,omitempty"`
}

// PlatformList is a list of platforms.
// +kubebuilder:object:root=true
type PlatformList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Platform `json:"items"`
}

func init() { SchemeBuilder.Register(&Platform{}, &PlatformList{}) }
