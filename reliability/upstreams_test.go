package reliability_test

import (
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/loadgen"
)

// upstreams are fake bio.tools, EDAM and SPDX servers and a fake SMTP
// server, all broken the same way.
type upstreams struct {
	httpURL  string
	smtpPort int
}

// hangingUpstreams accept connections and never answer.
func hangingUpstreams(t *testing.T) upstreams {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	port := tcpServer(t, func(c net.Conn) { <-release })
	t.Cleanup(func() { close(release) }) // runs first: lets the handlers return
	return upstreams{httpURL: srv.URL, smtpPort: port}
}

// garbageUpstreams answer at once with random bytes: 200 OK with a JSON
// content type over HTTP, noise instead of an SMTP greeting.
func garbageUpstreams(t *testing.T) upstreams {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(noise(256 << 10))
	}))
	t.Cleanup(srv.Close)
	port := tcpServer(t, func(c net.Conn) { _, _ = c.Write(noise(4 << 10)) })
	return upstreams{httpURL: srv.URL, smtpPort: port}
}

func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// tcpServer accepts connections on a loopback port and hands each to serve,
// closing it afterwards.
func tcpServer(t *testing.T, serve func(net.Conn)) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// TestBrokenUpstreamsNeverBlockRequests points bio.tools, the EDAM and SPDX
// sources and SMTP at servers that hang or answer garbage. The server must
// start, answer the bio.tools prefill with a clear error within its
// timeout, and keep serving health checks and registrations (with bio.tools
// links, which queue syncs against the broken server) while those calls
// hang.
func TestBrokenUpstreamsNeverBlockRequests(t *testing.T) {
	for _, c := range []struct {
		name string
		fake func(*testing.T) upstreams
	}{{"hanging", hangingUpstreams}, {"garbage", garbageUpstreams}} {
		t.Run(c.name, func(t *testing.T) {
			up := c.fake(t)
			r := startRegistry(t,
				"REGISTRY_BIOTOOLS__API_URL="+up.httpURL+"/api",
				"REGISTRY_BIOTOOLS__TIMEOUT=2s",
				"REGISTRY_FEATURES__BIOTOOLS_PREFILL=true",
				"REGISTRY_EDAM__SOURCE_URL="+up.httpURL+"/EDAM_1.25.owl",
				"REGISTRY_EDAM__SYNC_ON_START=true",
				"REGISTRY_LICENSES__SOURCE_URL="+up.httpURL+"/licenses.json",
				"REGISTRY_LICENSES__SYNC_ON_START=true",
				"REGISTRY_SMTP__HOST=127.0.0.1",
				"REGISTRY_SMTP__PORT="+strconv.Itoa(up.smtpPort),
			)
			exerciseWhileUpstreamsFail(t, r)
			if *long {
				// the outbox job runs every minute: let it meet the
				// broken SMTP server while requests keep coming
				deadline := time.Now().Add(70 * time.Second)
				for time.Now().Before(deadline) {
					exerciseWhileUpstreamsFail(t, r)
				}
			}
			r.healthy(t)
		})
	}
}

// exerciseWhileUpstreamsFail runs prefill calls against the broken
// bio.tools and, at the same time, health checks and registrations with
// bio.tools links.
func exerciseWhileUpstreamsFail(t *testing.T, r *registry) {
	t.Helper()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started := time.Now()
			var failure struct {
				Error string `json:"error"`
			}
			err := loadgen.Request(r.client, http.MethodGet, r.URL+"/biotools/prefill/?id=broken-upstream-"+strconv.Itoa(i), "", nil, nil)
			var status *loadgen.StatusError
			if !errors.As(err, &status) || status.Status != http.StatusServiceUnavailable {
				t.Errorf("prefill against a broken bio.tools: want 503, got %v", err)
				return
			}
			if e := jsonInto(status.Body, &failure); e != nil || failure.Error == "" {
				t.Errorf("the prefill failure does not explain itself: %s", status.Body)
			}
			// a correctness bound, far above the configured 2 s timeout
			if d := time.Since(started); d > 15*time.Second {
				t.Errorf("the prefill hung for %s despite the 2 s timeout", d)
			}
		}()
	}
	for i := 0; i < 10; i++ {
		started := time.Now()
		if err := loadgen.Request(r.client, http.MethodGet, r.URL+"/health/ready/", "", nil, nil); err != nil {
			t.Errorf("health check while upstreams fail: %v", err)
		}
		body := r.refs.Registration(int(time.Now().UnixNano() % 1e9))
		body["biotools_url"] = "https://bio.tools/broken-upstream-" + strconv.Itoa(i)
		var created loadgen.Created
		if err := loadgen.Request(r.client, http.MethodPost, r.URL+"/api/v1/submissions/", "", body, &created); err != nil {
			t.Errorf("registration while upstreams fail: %v", err)
		} else if err := r.keyWorks(created.ID, created.APIKey); err != nil {
			t.Errorf("key of a registration made while upstreams fail: %v", err)
		}
		if d := time.Since(started); d > 5*time.Second {
			t.Errorf("a health check and a registration took %s while upstreams failed", d)
		}
	}
	wg.Wait()
}
