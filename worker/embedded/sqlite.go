package embedded

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// sqlConfig is the persistence config of one SQLite file: WAL so readers
// never block the writer, synchronous=FULL so a committed transition survives
// power loss, and a busy timeout so a second connection waits for the writer
// instead of failing. The plugin's single connection per store used to stall
// every service behind one query (temporalio/temporal#9686); openova gives
// executions and visibility a file and a connection each, so their writes
// run side by side. More connections per file lose: SQLite still admits one
// writer, and the others sleep in its busy handler (BENCHMARKS.md, tuning).
func sqlConfig(dbPath string, conns int, sync string) *config.SQL {
	if conns <= 0 {
		conns = 1
	}
	if sync == "" {
		sync = "full"
	}
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  sync,
			"busy_timeout": "10000",
		},
		MaxConns:     conns,
		MaxIdleConns: conns,
	}
}

// ensureSchema creates the database file on first start. The schema is
// built in a temporary file without fsync per statement (a hundred or so
// CREATE statements would each wait for the disk), synced once, then renamed
// into place: a crash mid-way leaves no half-made database behind.
func ensureSchema(sqlConf *config.SQL, dbPath string) error {
	_, err := os.Stat(dbPath)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check database %s: %w", dbPath, err)
	}
	tmp := dbPath + ".creating"
	_ = os.Remove(tmp)
	setup := *sqlConf
	setup.DatabaseName = tmp
	setup.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "delete", "synchronous": "off"}
	if err := sqliteschema.SetupSchema(&setup); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("create database schema in %s: %w", dbPath, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return fmt.Errorf("create database %s: %w", dbPath, err)
	}
	return syncFile(filepath.Dir(dbPath))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

func checkpoint(dbPath string) error {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s for checkpoint: %w", dbPath, err)
	}
	defer func() { _ = db.Close() }()
	var busy, logFrames, checkpointed int
	if err := db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dbPath, err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint %s: database busy, WAL kept (it is replayed on next start)", dbPath)
	}
	return nil
}
