package rollout_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/browsertest"
)

// instruction is one Dockerfile line (continuations joined).
type instruction struct {
	cmd, args string
}

func parseDockerfile(t *testing.T, path string) [][]instruction {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		switch cmd {
		case "FROM":
			stages = append(stages, nil)
		case "RUN", "COPY", "ENV", "ARG", "WORKDIR", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD", "LABEL":
		default:
			t.Fatalf("unknown Dockerfile instruction %q", line)
		}
		if len(stages) == 0 {
			t.Fatalf("%q comes before the first FROM", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], instruction{cmd, strings.TrimSpace(args)})
	}
	return stages
}

func find(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// Docker cannot run on the build machines, so the Dockerfile is checked by
// reading it: multi-stage, static binary, non-root distroless image with
// the data volume and a health check that needs no shell or curl.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, filepath.Join(browsertest.RepoRoot(t), "Dockerfile"))
	if len(stages) < 2 {
		t.Fatal("want a multi-stage build")
	}
	build, final := stages[0], stages[len(stages)-1]
	if env := strings.Join(find(build, "ENV"), " "); !strings.Contains(env, "CGO_ENABLED=0") || !strings.Contains(env, "GOTOOLCHAIN=go1.27.3") {
		t.Errorf("the build stage must set CGO_ENABLED=0 and GOTOOLCHAIN=go1.27.3: %q", env)
	}
	if run := strings.Join(find(build, "RUN"), " "); !strings.Contains(run, "internal/buildinfo.Version=") || !strings.Contains(run, "-trimpath") {
		t.Errorf("the build must stamp the version and trim paths: %q", run)
	}
	if from := final[0].args; !regexp.MustCompile(`^(gcr\.io/distroless/static|scratch)`).MatchString(from) {
		t.Errorf("the final image must be distroless or scratch, got %q", from)
	}
	if user := find(final, "USER"); len(user) == 0 || strings.HasPrefix(user[0], "root") || strings.HasPrefix(user[0], "0") {
		t.Errorf("the final image must run as non-root: %v", user)
	}
	if vol := find(final, "VOLUME"); len(vol) == 0 || !strings.Contains(vol[0], "/pb_data") {
		t.Errorf("want VOLUME /pb_data: %v", vol)
	}
	if hc := find(final, "HEALTHCHECK"); len(hc) == 0 || !strings.Contains(hc[0], `"healthcheck"`) {
		t.Errorf("the health check must use 'registry healthcheck': %v", hc)
	}
	if cmd := find(final, "CMD"); len(cmd) == 0 || !strings.Contains(cmd[0], "--dir=/pb_data") || !strings.Contains(cmd[0], "0.0.0.0:8090") {
		t.Errorf("the default command must serve /pb_data on all interfaces: %v", cmd)
	}
}
