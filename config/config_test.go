package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultsWithoutAnySource(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./site.toml here
	cfg, err := Load(Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != "" {
		t.Fatalf("no file expected, got %q", cfg.File)
	}
	if cfg.Site.URL != "http://127.0.0.1:8090" || cfg.Admin.URLPrefix != "admin-denbi" || !cfg.Features.Catalogue {
		t.Fatalf("unexpected defaults: %+v", cfg.Config)
	}
	if cfg.Captcha.MaxNumber != 100000 || cfg.Captcha.Expires != 10*time.Minute || !cfg.RateLimit.Enabled {
		t.Fatalf("unexpected defaults: %+v", cfg.Config)
	}
	if len(cfg.Submission.NoResetFields) != 18 {
		t.Fatalf("expected the 18 default exempt fields, got %v", cfg.Submission.NoResetFields)
	}
}

func TestPrecedenceDefaultFileEnvFlag(t *testing.T) {
	file := writeFile(t, "site.toml", `
[site]
url = "https://file.example.org"
name = "From file"

[admin]
url_prefix = "from-file"

[captcha]
max_number = 50000
`)
	env := []string{
		"REGISTRY_SITE__NAME=From env",
		"REGISTRY_ADMIN__URL_PREFIX=from-env",
		"UNRELATED=1",
	}

	cfg, err := Load(Sources{Path: file, Environ: env, Set: []string{"admin.url_prefix=from-flag"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != file {
		t.Fatalf("file not reported: %q", cfg.File)
	}
	if cfg.Site.URL != "https://file.example.org" {
		t.Errorf("file must override default: %q", cfg.Site.URL)
	}
	if cfg.Site.Name != "From env" {
		t.Errorf("env must override file: %q", cfg.Site.Name)
	}
	if cfg.Admin.URLPrefix != "from-flag" {
		t.Errorf("flag must override env: %q", cfg.Admin.URLPrefix)
	}
	if cfg.Captcha.MaxNumber != 50000 {
		t.Errorf("file value lost: %d", cfg.Captcha.MaxNumber)
	}
	if cfg.Contact.Email != "servicecoordination@denbi.de" {
		t.Errorf("untouched default lost: %q", cfg.Contact.Email)
	}
}

func TestEnvironmentTypesAndLists(t *testing.T) {
	cfg, err := Load(Sources{Path: writeFile(t, "empty.toml", ""), Environ: []string{
		"REGISTRY_SECURITY__HTTPS=true",
		"REGISTRY_RATELIMIT__EXCLUDED_IPS=127.0.0.1, 10.0.0.0/8,,",
		"REGISTRY_CAPTCHA__EXPIRES=15m",
		"REGISTRY_FEATURES__CATALOGUE=false",
		"REGISTRY_SUBMISSION__NO_RESET_FIELDS=",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Security.HTTPS || cfg.Features.Catalogue {
		t.Errorf("booleans not parsed: https=%v catalogue=%v", cfg.Security.HTTPS, cfg.Features.Catalogue)
	}
	if got := strings.Join(cfg.RateLimit.ExcludedIPs, "|"); got != "127.0.0.1|10.0.0.0/8" {
		t.Errorf("list not split: %q", got)
	}
	if cfg.Captcha.Expires != 15*time.Minute {
		t.Errorf("duration not parsed: %s", cfg.Captcha.Expires)
	}
	if len(cfg.Submission.NoResetFields) != 0 {
		t.Errorf("an empty list must clear the default: %v", cfg.Submission.NoResetFields)
	}
}

func TestSecretFromFile(t *testing.T) {
	secret := writeFile(t, "hmac", strings.Repeat("k", 40)+"\n")
	cfg, err := Load(Sources{Path: writeFile(t, "e.toml", ""), Environ: []string{"REGISTRY_CAPTCHA__HMAC_KEY_FILE=" + secret}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Captcha.HMACKey != strings.Repeat("k", 40) {
		t.Fatalf("secret not read from file (trailing newline must go): %q", cfg.Captcha.HMACKey)
	}

	_, err = Load(Sources{Path: writeFile(t, "e.toml", ""), Environ: []string{"REGISTRY_CAPTCHA__HMAC_KEY_FILE=/does/not/exist"}})
	if err == nil || !strings.Contains(err.Error(), "REGISTRY_CAPTCHA__HMAC_KEY_FILE") {
		t.Fatalf("missing secret file must name the variable, got %v", err)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		env     []string
		set     []string
		wantAll []string
	}{
		{"bad bool in env", "", []string{"REGISTRY_SECURITY__HTTPS=maybe"}, nil,
			[]string{"REGISTRY_SECURITY__HTTPS", "true or false", `"maybe"`}},
		{"unknown env key with hint", "", []string{"REGISTRY_SITE__ULR=https://x.org"}, nil,
			[]string{"REGISTRY_SITE__ULR", "unknown setting", `"site.url"`}},
		{"unknown file key", "[site]\nurll = \"https://x.org\"\n", nil, nil,
			[]string{"[site] urll", "unknown setting"}},
		{"wrong type in file", "[captcha]\nmax_number = \"lots\"\n", nil, nil,
			[]string{"[captcha] max_number", "whole number"}},
		{"invalid URL value", "", nil, []string{"site.url=ftp://x"},
			[]string{"site.url", "REGISTRY_SITE__URL", "http"}},
		{"bad duration", "", []string{"REGISTRY_CAPTCHA__EXPIRES=10 minutes"}, nil,
			[]string{"REGISTRY_CAPTCHA__EXPIRES", "duration"}},
		{"reserved admin prefix", "", []string{"REGISTRY_ADMIN__URL_PREFIX=api"}, nil,
			[]string{"admin.url_prefix", "already used"}},
		{"bad excluded ip", "", []string{"REGISTRY_RATELIMIT__EXCLUDED_IPS=10.0.0.300"}, nil,
			[]string{"ratelimit.excluded_ips", "10.0.0.300"}},
		{"malformed set", "", nil, []string{"site.url"}, []string{"--set", "section.key=value"}},
		{"short hmac key", "", []string{"REGISTRY_CAPTCHA__HMAC_KEY=short"}, nil,
			[]string{"captcha.hmac_key", "32 characters"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Sources{Path: writeFile(t, "site.toml", c.file), Environ: c.env, Set: c.set})
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, want := range c.wantAll {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestConfigFileResolution(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	if _, err := Load(Sources{Path: filepath.Join(dir, "missing.toml")}); err == nil {
		t.Fatal("an explicitly named file that does not exist must fail")
	}
	if _, err := Load(Sources{Environ: []string{"REGISTRY_CONFIG=" + filepath.Join(dir, "missing.toml")}}); err == nil {
		t.Fatal("a file named by REGISTRY_CONFIG that does not exist must fail")
	}

	if err := os.WriteFile("site.toml", []byte("[site]\nname = \"Local\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Site.Name != "Local" || cfg.File != "site.toml" {
		t.Fatalf("./site.toml not picked up: %q from %q", cfg.Site.Name, cfg.File)
	}

	if err := os.WriteFile("broken.toml", []byte("[site\nname="), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Sources{Path: "broken.toml"}); err == nil || !strings.Contains(err.Error(), "broken.toml") {
		t.Fatalf("invalid TOML must name the file, got %v", err)
	}
}

func TestParseFlagsKeepsOtherArguments(t *testing.T) {
	f := ParseFlags([]string{"serve", "--http=127.0.0.1:9000", "--config", "x.toml", "--set", "site.name=A", "--set=site.url=https://a.org", "--dir", "pb"})
	if f.Path != "x.toml" || len(f.Set) != 2 || f.Set[1] != "site.url=https://a.org" {
		t.Fatalf("unexpected flags: %+v", f)
	}
}

func TestExampleFileDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile("../site.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	section := ""
	documented := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		if name, _, ok := strings.Cut(line, "="); ok {
			name = strings.TrimSpace(name)
			if section == "" {
				documented[name] = true
			} else {
				documented[section+"."+name] = true
			}
		}
	}
	for _, key := range Keys() {
		if !documented[key] {
			t.Errorf("site.example.toml does not document %s", key)
		}
	}

	// The example must itself load (with its commented defaults).
	if _, err := Load(Sources{Path: "../site.example.toml"}); err != nil {
		t.Fatalf("site.example.toml does not load: %v", err)
	}
}
