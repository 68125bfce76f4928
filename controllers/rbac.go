package controllers

// The manager's permissions, least privilege. controller-gen (dev/gen.sh, run
// by `task generate`) turns these markers into deploy/base/rbac/role.yaml.
// Every rule is namespace=openova-system, so the result is one Role and no
// ClusterRole: the manager works in its --namespace only (its caches,
// leader election and release watch are all scoped to it), and the charts it
// releases are installed by Crossplane's provider-helm, not by the manager.
// No wildcards, nothing on Secrets but get, no list or watch of Secrets
// anywhere: deploy's TestRBACLeastPrivilege checks that, and
// TestManagerWithItsOwnRBAC (cmd/openova) runs the manager impersonating its
// ServiceAccount with exactly this Role.
//
// Why each rule is here (and why no more):
//   - platforms: get/list/watch for the Platform reconciler's cache and the
//     UI's; patch for the UI, which changes a Platform's spec (components,
//     settings, the retry annotation) with server-side apply and merge
//     patches. No create, update or delete: the operator or GitOps creates
//     Platforms, and the UI only patches one it has read.
//   - components: the manager server-side applies one Component per
//     installed component (an apply that creates needs create as well as
//     patch), reads it, lists a platform's, deletes it on uninstall; the
//     reconcilers watch them.
//   - platforms/status, components/status: patch only (merge patches).
//   - componentreleases (platform.openova.io): the Crossplane composite
//     resource of each release (deploy/crossplane's XRD), server-side
//     applied, read, watched (controller cache and metadata watch) and
//     deleted in the foreground.
//   - events (core): the workflows record Events on the Platform (create);
//     leader election's recorder creates and patches Events on the Lease.
//     The manager records nothing through events.k8s.io.
//   - leases: leader election gets and updates its one Lease, which it
//     creates first (create cannot be limited to a name).
//   - secrets, get only: the Git credentials Secret a Platform names
//     (spec.git.secretRef), read when a commit is pushed. Its name is the
//     user's, so it cannot be limited by resourceNames; the codec key is a
//     file, not read through the API.
//   - jobs (batch) and backups (postgresql.cnpg.io), create and get: the
//     pre-upgrade backups the catalog declares for forward-only releases,
//     polled until done; persistentvolumeclaims, create only: the volume a
//     backup Job writes to (one that exists already is used as it is);
//     volumesnapshots (snapshot.storage.k8s.io), create and get: Vault's
//     backup, a snapshot of its data claim. A new backup kind in the
//     catalog needs a rule here (deploy's
//     TestManagerMayBackUpWhereTheCatalogSays finds one that has none).

// +kubebuilder:rbac:groups=openova.io,resources=platforms,verbs=get;list;watch;patch,namespace=openova-system
// +kubebuilder:rbac:groups=openova.io,resources=platforms/status,verbs=patch,namespace=openova-system
// +kubebuilder:rbac:groups=openova.io,resources=components,verbs=get;list;watch;create;patch;delete,namespace=openova-system
// +kubebuilder:rbac:groups=openova.io,resources=components/status,verbs=patch,namespace=openova-system
// +kubebuilder:rbac:groups=platform.openova.io,resources=componentreleases,verbs=get;list;watch;create;patch;delete,namespace=openova-system
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch,namespace=openova-system
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=create,namespace=openova-system
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;update,resourceNames=openova-manager.openova.io,namespace=openova-system
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get,namespace=openova-system
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;create,namespace=openova-system
// +kubebuilder:rbac:groups="",resources=persistentvolumeclaims,verbs=create,namespace=openova-system
// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=backups,verbs=get;create,namespace=openova-system
// +kubebuilder:rbac:groups=snapshot.storage.k8s.io,resources=volumesnapshots,verbs=get;create,namespace=openova-system
