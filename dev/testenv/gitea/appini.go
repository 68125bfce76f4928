package gitea

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/user"
)

// appIni is a single-process configuration: SQLite, no SSH, no mail, no
// LFS, installed (INSTALL_LOCK) so no setup page, loopback remotes allowed
// for push mirrors ([migrations] ALLOW_LOCALNETWORKS; production needs it
// too, its remotes are private addresses over the WireGuard link).
// It listens on ip:port. With tlsFiles (certificate and key paths) it
// serves HTTPS, as a region's Gitea does.
func appIni(dir, static, ip string, port int, tlsFiles ...string) (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	internal := hex.EncodeToString(b)
	protocol, scheme := "PROTOCOL = http", "http"
	if len(tlsFiles) == 2 {
		protocol = fmt.Sprintf("PROTOCOL = https\nCERT_FILE = %s\nKEY_FILE = %s", tlsFiles[0], tlsFiles[1])
		scheme = "https"
	}
	return fmt.Sprintf(`APP_NAME = openova test
RUN_MODE = prod
RUN_USER = %[1]s
WORK_PATH = %[2]s

[server]
%[7]s
HTTP_ADDR = %[9]s
HTTP_PORT = %[3]d
ROOT_URL = %[8]s://%[9]s:%[3]d/
DISABLE_SSH = true
START_SSH_SERVER = false
LFS_START_SERVER = false
OFFLINE_MODE = true
STATIC_ROOT_PATH = %[4]s
APP_DATA_PATH = %[2]s/data
GRACEFUL_HAMMER_TIME = 5s

[database]
DB_TYPE = sqlite3
PATH = %[2]s/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = %[2]s/repositories
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = %[5]s
INTERNAL_TOKEN = %[6]s

[oauth2]
ENABLED = false

[service]
DISABLE_REGISTRATION = true

[mailer]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[queue]
TYPE = channel

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[packages]
ENABLED = true

[actions]
ENABLED = false

[migrations]
ALLOW_LOCALNETWORKS = true

[mirror]
ENABLED = true

[log]
MODE = file
LEVEL = Info
ROOT_PATH = %[2]s/log
`, u.Username, dir, port, static, key, internal, protocol, scheme, ip), nil
}
