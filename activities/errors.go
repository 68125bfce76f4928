package activities

// Every error type an activity raises, in one place: each is the Type of an
// ApplicationError, so the workflows, the controllers and the UI can tell
// what went wrong and say what to do. Non-retryable unless a line says
// otherwise. Catalog errors (DependencyCycle, Downgrade, ...) keep the
// kinds of package catalog.

// Error types of a pre-upgrade backup that did not complete: the upgrade
// stops before it touches the component.
const (
	ErrBackupFailed   = "BackupFailed"
	ErrBackupTimedOut = "BackupTimedOut"
	ErrInvalidBackup  = "InvalidBackup"
)

// Error types of the Crossplane activities.
const (
	// ErrInvalidRelease: the release is malformed or the API server rejects it (non-retryable).
	ErrInvalidRelease = "InvalidRelease"
	// ErrReleaseNotReady: not Synced and Ready by the deadline (non-retryable).
	ErrReleaseNotReady = "ReleaseNotReady"
	// ErrReleaseNotApplied: in GitOps mode, the XR did not appear by the deadline (non-retryable).
	ErrReleaseNotApplied = "ReleaseNotApplied"
	// ErrReleaseNotGone: the XR was still there at the deadline (non-retryable).
	ErrReleaseNotGone = "ReleaseNotGone"
	// ErrReleaseMissing: the XR to wait for does not exist (yet); retryable.
	ErrReleaseMissing = "ReleaseMissing"
)

// Error types of the Git activities.
const (
	// ErrGitAuthFailed: the remote refused the credentials (non-retryable).
	ErrGitAuthFailed = "GitAuthFailed"
	// ErrInvalidManifestPath: the file path is not a plain path inside the repository (non-retryable).
	ErrInvalidManifestPath = "InvalidManifestPath"
	// ErrGitRepository: the repository does not exist or the URL is malformed (non-retryable).
	ErrGitRepository = "GitRepositoryInvalid"
	// ErrPlatformFile: the file the Platform's openova.io/git-file names
	// does not hold that Platform as YAML (non-retryable).
	ErrPlatformFile = "PlatformFileInvalid"
)

// ErrAlertRejected is the error type of a receiver that refuses the alert
// as malformed or unauthorised (4xx): retrying cannot help.
const ErrAlertRejected = "AlertRejected"

// ErrIndexUnreachable is the (retryable) error type of an index that could not be fetched.
const ErrIndexUnreachable = "IndexUnreachable"

// ErrGitCredentials is the error type of a missing or malformed credentials Secret.
const ErrGitCredentials = "GitCredentialsInvalid"

// ErrInvalidComponent is the error type of a Component the API server rejects.
const ErrInvalidComponent = "InvalidComponent"

// ErrSelfCheckInjected is the error type of an injected first-attempt failure.
const ErrSelfCheckInjected = "SelfCheckInjectedFailure"

// ErrComponentMissing is the error type of an upgrade of a component that
// has no Component resource.
const ErrComponentMissing = "ComponentMissing"

// Error types of the bootstrap's activities.
const (
	// ErrInvalidBootstrap: the request or a module is malformed (non-retryable).
	ErrInvalidBootstrap = "InvalidBootstrap"
	// ErrManagerImage: this executable cannot be the manager's image
	// (dynamically linked, or built for other nodes); non-retryable.
	ErrManagerImage = "ManagerImage"
	// ErrManagerNotReady: the deployed manager did not answer /readyz over
	// verified TLS by the deadline (non-retryable: the step parks).
	ErrManagerNotReady = "ManagerNotReady"
	// ErrInvalidCredentials: the cloud refused the credentials (non-retryable).
	ErrInvalidCredentials = "InvalidCredentials"
	// ErrPlanNotApproved: an apply was asked without an approved plan (non-retryable).
	ErrPlanNotApproved = "PlanNotApproved"
	// ErrPlanChanged: the plan wants more than the user approved (non-retryable).
	ErrPlanChanged = "PlanChanged"
	// ErrAPIServerUnreachable: a new cluster's API server did not answer by the deadline (non-retryable).
	ErrAPIServerUnreachable = "APIServerUnreachable"
)

// Error types of a new cluster's CNI.
const (
	// ErrCNINotReady: Cilium did not run on every node by the deadline (non-retryable).
	ErrCNINotReady = "CNINotReady"
	// ErrCNIPolicyUnsupported: the cluster's Cilium cannot hold the metadata policy safely (non-retryable).
	ErrCNIPolicyUnsupported = "CNIPolicyUnsupported"
)

// Error types of the Gitea activities.
const (
	// ErrGiteaAuth: a Gitea refused the admin's credentials (non-retryable).
	ErrGiteaAuth = "GiteaAuthFailed"
	// ErrGiteaNameRefused: Gitea refuses the organization, repository or token name (non-retryable).
	ErrGiteaNameRefused = "GiteaNameRefused"
	// ErrGiteaInvalidInput: a URL that is not http(s) or carries credentials, a missing field (non-retryable).
	ErrGiteaInvalidInput = "GiteaInvalidInput"
	// ErrGiteaMirrorFailed: a push mirror did not carry the repository by the deadline; retryable
	// (the other side may still be coming up), the mirror is removed before the retry.
	ErrGiteaMirrorFailed = "GiteaMirrorFailed"
	// ErrGiteaMirrorMissing: a sync was asked of a repository without its push mirror (non-retryable).
	ErrGiteaMirrorMissing = "GiteaMirrorMissing"
	// ErrGiteaChartUnsupported: a Gitea chart version whose Bitnami subcharts openova has not read,
	// so it cannot turn them all off (non-retryable).
	ErrGiteaChartUnsupported = "GiteaChartUnsupported"
	// ErrGiteaNotReady: a region's Gitea did not answer over verified TLS, or did not let its admin
	// sign in, by the deadline (non-retryable).
	ErrGiteaNotReady = "GiteaNotReady"
)

// ErrInvalidServingCert is the error type of a serving certificate asked
// for no name, a name that is neither an IP nor a DNS name, or a CA that
// does not parse (non-retryable).
const ErrInvalidServingCert = "InvalidServingCert"

// Error types of the Flux activities.
const (
	// ErrInvalidFluxSync: the sync's input is malformed or the API server refuses its objects (non-retryable).
	ErrInvalidFluxSync = "InvalidFluxSync"
	// ErrFluxNotInstalled: Flux's CRDs are not in the region's cluster (yet); retryable.
	ErrFluxNotInstalled = "FluxNotInstalled"
	// ErrFluxSourceAuthFailed: the region's Gitea refused Flux's token (non-retryable).
	ErrFluxSourceAuthFailed = "FluxSourceAuthFailed"
	// ErrFluxStalled: Flux gave up, or the commit does not build (non-retryable).
	ErrFluxStalled = "FluxStalled"
	// ErrFluxNotSynced: the Kustomization had not applied the commit by the deadline (non-retryable).
	ErrFluxNotSynced = "FluxNotSynced"
)

// Error types of the substrate's readiness (Flux installed, Crossplane ready).
const (
	// ErrFluxNotReady: Flux's CRDs or controllers were not ready by the deadline (non-retryable).
	ErrFluxNotReady = "FluxNotReady"
	// ErrCrossplaneNotReady: Crossplane's XRD, provider or function were not ready by the deadline (non-retryable).
	ErrCrossplaneNotReady = "CrossplaneNotReady"
	// ErrInvalidSubstrate: the substrate's input is malformed (non-retryable).
	ErrInvalidSubstrate = "InvalidSubstrate"
)
