// Package reliability_test drives the real registry binary through
// concurrent writes, crashes, broken upstreams and hostile input, and
// checks that it loses nothing and stays healthy. "make test" runs the short
// form; the long form runs with
//
//	go test ./reliability -long -v -timeout 30m
package reliability_test

import (
	"encoding/json"
	"flag"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/browsertest"
	"github.com/denbi/service-registry/internal/loadgen"
)

var long = flag.Bool("long", false, "run the long variants: more workers, more writes, more crash cycles, a full outbox cron cycle")

// pick returns the long value under -long and the short one otherwise.
func pick(short, longValue int) int {
	if *long {
		return longValue
	}
	return short
}

// registry is a running, seeded server with an admin key.
type registry struct {
	*browsertest.Server
	client   *http.Client
	adminKey string
	refs     loadgen.References
}

// startRegistry starts the binary with env, loads the demo reference data
// and creates a full-scope admin key.
func startRegistry(t *testing.T, env ...string) *registry {
	t.Helper()
	s := browsertest.StartServer(t, env)
	s.CLI(t, "seed", "demo")
	out := strings.TrimSpace(s.CLI(t, "adminkey", "create", "--label", "reliability", "--scope", "full"))
	r := &registry{Server: s, adminKey: out[strings.LastIndex(out, "\n")+1:],
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	refs, err := loadgen.FindReferences(r.client, s.URL, r.adminKey)
	if err != nil {
		t.Fatal(err)
	}
	r.refs = refs
	return r
}

// admin sends a request with the admin key and decodes the answer.
func (r *registry) admin(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if err := loadgen.Request(r.client, method, r.URL+path, "AdminKey "+r.adminKey, body, out); err != nil {
		t.Fatal(err)
	}
}

// total counts the records of a collection through the collection API.
func (r *registry) total(t *testing.T, collection string) int {
	t.Helper()
	var page struct {
		TotalItems int `json:"totalItems"`
	}
	r.admin(t, http.MethodGet, "/api/collections/"+collection+"/records?perPage=1&fields=id", nil, &page)
	return page.TotalItems
}

// keyWorks reports whether key opens the submission id through /api/v1.
func (r *registry) keyWorks(id, key string) error {
	var got struct {
		ID string `json:"id"`
	}
	if err := loadgen.Request(r.client, http.MethodGet, r.URL+"/api/v1/submissions/"+id+"/", "ApiKey "+key, nil, &got); err != nil {
		return err
	}
	if got.ID != id {
		return &mismatch{want: id, got: got.ID}
	}
	return nil
}

type mismatch struct{ want, got string }

func (m *mismatch) Error() string { return "asked for " + m.want + ", got " + m.got }

// healthy fails the test unless the server reports itself ready.
func (r *registry) healthy(t *testing.T) {
	t.Helper()
	var health map[string]any
	if err := loadgen.Request(r.client, http.MethodGet, r.URL+"/health/ready/", "", nil, &health); err != nil {
		t.Fatalf("the server is not healthy: %v\n%s", err, r.Log())
	}
}

func jsonInto(raw []byte, v any) error { return json.Unmarshal(raw, v) }
