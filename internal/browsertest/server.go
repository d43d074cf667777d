package browsertest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

	cmd *exec.Cmd
	log *bytes.Buffer
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
		buildPath = filepath.Join(dir, "registry")
		cmd := exec.Command("go", "build", "-o", buildPath, ".")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
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

	s := &Server{URL: "http://" + addr, DataDir: t.TempDir(), Binary: bin, log: new(bytes.Buffer)}
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", s.DataDir)
	s.cmd.Env = append(os.Environ(),
		"REGISTRY_RATELIMIT__ENABLED=false",
		"REGISTRY_SITE__URL="+s.URL,
		// no downloads from the internet during tests
		"REGISTRY_EDAM__SOURCE_URL="+filepath.Join(s.DataDir, "no-edam-source.owl"),
		"REGISTRY_LICENSES__SOURCE_URL="+filepath.Join(s.DataDir, "no-licenses-source.json"),
		"REGISTRY_BIOTOOLS__API_URL=http://127.0.0.1:1/api",
	)
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		_, _ = s.cmd.Process.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/health/ready/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the registry did not become ready:\n%s", s.log.String())
	return nil
}

// CLI runs a registry command against the server's data directory and
// returns its output.
func (s *Server) CLI(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.Binary, append(args, "--dir", s.DataDir)...)
	cmd.Env = s.cmd.Env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("registry %v: %v\n%s", args, err, out)
	}
	return string(out)
}
