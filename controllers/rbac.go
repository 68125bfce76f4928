package controllers

// The manager's permissions, least privilege. controller-gen (dev/gen.sh, run
// by `task generate`) turns these markers into deploy/base/rbac/role.yaml: a
// ClusterRole openova-manager for the cluster-scoped rules and a Role
// openova-manager in openova-system for the namespace= rules. No wildcards and
// no cluster-wide read of Secrets: deploy's TestRBACLeastPrivilege checks both.
//
// Why each rule is here:
//   - platforms: the Platform reconciler only reads them (and patches their
//     status); the bootstrap workflow or the operator writes the spec, so the
//     manager never creates, updates or deletes one.
//   - components: the manager writes one Component per installed component
//     and deletes it on uninstall.
//   - */status: status is patched, never updated by the reconcilers; update
//     stays for controller-runtime's status writer fallbacks.
//   - componentreleases (platform.openova.io): the Crossplane composite
//     resource of each component release (deploy/crossplane's XRD).
//   - events (core and events.k8s.io): workflows record Events on the
//     Platform (installed, install failed and undone).
//   - leases in openova-system: leader election.
//   - secrets in openova-system, get only: the Git credentials Secret
//     (Platform spec.git.secretRef) and the payload codec key Secret.
//   - jobs (batch) and backups (postgresql.cnpg.io) in openova-system,
//     get and create only: the pre-upgrade backups the catalog declares for
//     forward-only releases. A new backup kind in the catalog needs a rule
//     here.

// +kubebuilder:rbac:groups=openova.io,resources=platforms,verbs=get;list;watch
// +kubebuilder:rbac:groups=openova.io,resources=platforms/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=openova.io,resources=components,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=openova.io,resources=components/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=platform.openova.io,resources=componentreleases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete,namespace=openova-system
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get,namespace=openova-system
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;create,namespace=openova-system
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims,verbs=get;create,namespace=openova-system
// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=backups,verbs=get;create,namespace=openova-system
