package browsertest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running registry binary.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// DataDir is the server's pb_data.
	DataDir string
	// Binary is the path of the binary, for CLI calls against DataDir.
	Binary string

	addr string
	env  []string
	cmd  *exec.Cmd
	log  *lockedBuffer
}

// lockedBuffer collects the server's output; the process writes it while
// tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds the registry once per test process into test-output/bin
// (never under /tmp, where PocketBase would switch to development mode)
// and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root := RepoRoot(t)
		dir := filepath.Join(root, "test-output", "bin")
		if buildErr = os.MkdirAll(dir, 0o755); buildErr != nil {
			return
		}
		// Test packages run in parallel processes and each builds: build
		// under a private name and rename, so no process ever runs or
		// overwrites a half-written file.
		buildPath = filepath.Join(dir, "registry")
		private := fmt.Sprintf("%s.%d", buildPath, os.Getpid())
		cmd := exec.Command("go", "build", "-o", private, ".")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		buildErr = os.Rename(private, buildPath)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// StartServer runs "registry serve" on a free loopback port with a fresh
// data directory and the given extra environment (REGISTRY_* settings),
// waits until /health/ready/ answers, and stops it when the test ends.
// Rate limiting is off unless env turns it on.
func StartServer(t testing.TB, env []string) *Server {
	t.Helper()
	bin := Binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	s := &Server{URL: "http://" + addr, DataDir: t.TempDir(), Binary: bin, log: new(lockedBuffer)}
	s.env = append(withoutRegistrySettings(os.Environ()),
		"REGISTRY_RATELIMIT__ENABLED=false",
		"REGISTRY_SITE__URL="+s.URL,
		// no downloads from the internet during tests
		"REGISTRY_EDAM__SOURCE_URL="+filepath.Join(s.DataDir, "no-edam-source.owl"),
		"REGISTRY_LICENSES__SOURCE_URL="+filepath.Join(s.DataDir, "no-licenses-source.json"),
		"REGISTRY_BIOTOOLS__API_URL=http://127.0.0.1:1/api",
	)
	s.env = append(s.env, env...)
	s.addr = addr
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.Log())
		}
	})
	s.start(t)
	return s
}

// withoutRegistrySettings drops REGISTRY_* variables of the environment the
// tests run in, so a developer's own settings never change what a test sees.
func withoutRegistrySettings(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			out = append(out, kv)
		}
	}
	return out
}

// UnsetRegistrySettings removes REGISTRY_* variables from the test
// process's environment for the rest of the test, for tests that run the
// binary or scripts themselves. It restores them afterwards.
func UnsetRegistrySettings(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "REGISTRY_") {
			t.Setenv(name, "") // registers the restore
			os.Unsetenv(name)
		}
	}
}

// start runs the binary and waits until it is ready.
func (s *Server) start(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command(s.Binary, "serve", "--http", s.addr, "--dir", s.DataDir)
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/health/ready/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the registry did not become ready:\n%s", s.Log())
}

// stop kills the process, if it runs, and waits for it.
func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_, _ = s.cmd.Process.Wait()
	}
}

// Crash kills the server with SIGKILL (no shutdown hooks, no flushing), as
// a power cut or the OOM killer would.
func (s *Server) Crash() { s.stop() }

// Restart starts the server again on the same address and data directory
// and waits until it is ready.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.stop()
	s.start(t)
}

// Log returns what the server printed so far.
func (s *Server) Log() string {
	return s.log.String()
}

// CLI runs a registry command against the server's data directory and
// returns its output.
func (s *Server) CLI(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.Binary, append(args, "--dir", s.DataDir)...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("registry %v: %v\n%s", args, err, out)
	}
	return string(out)
}
