package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// RevokedFile is the data dir's record of sessions ended on the server.
const RevokedFile = "sessions.revoked"

// revocations end sessions on the server, not only in the browser that
// signs out: a copy of the cookie stops working too. Sign out records the
// session's ID (the same across renewals) until the session could not be
// valid anyway (its start plus Max); "Sign out everywhere" raises the
// user's generation, which every session carries from its issue, ending
// all sessions issued before. Both survive a restart: they are written to
// RevokedFile before the answer.
type revocations struct {
	mu    sync.Mutex
	path  string
	now   func() time.Time
	state revokedState
}

type revokedState struct {
	// Sessions maps a signed-out session's ID to the Unix time after
	// which it is over anyway.
	Sessions map[string]int64 `json:"sessions"`
	// Generations are the users' current session generations.
	Generations map[string]int `json:"generations"`
}

func loadRevocations(dataDir string, now func() time.Time) (*revocations, error) {
	r := &revocations{path: filepath.Join(dataDir, RevokedFile), now: now,
		state: revokedState{Sessions: map[string]int64{}, Generations: map[string]int{}}}
	b, err := os.ReadFile(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.path, err)
	}
	if err := json.Unmarshal(b, &r.state); err != nil {
		return nil, fmt.Errorf("%s is not the JSON openova writes (%v): delete it together with %s to sign everyone out and start afresh", r.path, err, KeyFile)
	}
	if r.state.Sessions == nil {
		r.state.Sessions = map[string]int64{}
	}
	if r.state.Generations == nil {
		r.state.Generations = map[string]int{}
	}
	return r, nil
}

// newSessionID is a random session ID.
func newSessionID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// generation is user's current generation, which new sessions carry.
func (r *revocations) generation(user string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Generations[user]
}

// ended says why a session is no longer valid, nil if it is.
func (r *revocations) ended(id, user string, gen int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case id == "":
		return errors.New("session has no ID (issued before sign-out was recorded on the server)")
	case r.state.Sessions[id] != 0:
		return errors.New("session was signed out")
	case gen < r.state.Generations[user]:
		return errors.New("session was signed out everywhere")
	}
	return nil
}

// revoke ends the session id, which began at since.
func (r *revocations) revoke(id string, since time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state.Sessions[id] = since.Add(Max).Unix()
	return r.saveLocked()
}

// revokeAll ends every session of user issued so far.
func (r *revocations) revokeAll(user string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state.Generations[user]++
	return r.saveLocked()
}

// saveLocked drops the IDs of sessions that are over anyway and writes the
// file whole (a temporary file renamed over it, so a crash leaves the old
// or the new one).
func (r *revocations) saveLocked() error {
	now := r.now().Unix()
	for id, over := range r.state.Sessions {
		if over < now {
			delete(r.state.Sessions, id)
		}
	}
	b, err := json.Marshal(r.state)
	if err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("record the sign-out in %s: %w", r.path, err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("record the sign-out in %s: %w", r.path, err)
	}
	return nil
}
