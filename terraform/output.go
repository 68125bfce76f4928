package terraform

import (
	"strings"
	"sync"
)

// redact replaces every secret in s.
func (r *Runner) redact(s string) string {
	for _, sec := range r.Secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// lines splits what tofu writes into lines, redacts and forwards them,
// and keeps the last ones for classifying a failure.
type lines struct {
	mu     sync.Mutex
	buf    []byte
	kept   []string
	redact func(string) string
	out    func(string)
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := strings.IndexByte(string(l.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := l.redact(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
		l.kept = append(l.kept, line)
		if len(l.kept) > 400 {
			l.kept = l.kept[len(l.kept)-400:]
		}
		if l.out != nil {
			l.out(line)
		}
	}
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(l.kept, l.redact(string(l.buf))), "\n")
}
