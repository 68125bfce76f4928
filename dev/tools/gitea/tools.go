//go:build tools

// Package tools pins Gitea, which the Gitea activities' tests run twice (a
// primary and a standby region): `dev/dev.sh assets` builds it from this
// module with cgo and the sqlite tags. A module of its own because Gitea's
// go.mod replaces several modules (copied below), replaces the product must
// not inherit. Gitea has no Debian package and no prebuilt binary can be
// downloaded here.
//
// The binary is built without the bindata tag (its embedded web assets are
// generated, not in the module), so it reads templates and options (licences,
// .gitignore and README templates) from [server] STATIC_ROOT_PATH:
// dev/testenv/gitea points that at this version's folder in the module cache
// (`go mod download -json code.gitea.io/gitea@<version>` prints it).
package tools

import _ "code.gitea.io/gitea"
