package testenv

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// HoldDefaultPorts waits until no other test process serves on the
// bootstrap's default ports (Gitea's 3000 and the manager's 443 on
// 127.0.0.1 and up, where the stand-ins' load balancers are; the demo's
// 6443 too), then holds them for the test: Journey 1 in the browser and
// the demo's test both use the wizard's defaults, and go test runs their
// packages at once. An exclusive lock on a file in the temp folder,
// released when the test ends (or its process dies).
func HoldDefaultPorts(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "openova-default-ports.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("open the default ports' lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("lock the default ports: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() }) // closing releases the lock
}
