package validate

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestHTTPSURL(t *testing.T) {
	ok := []struct{ value, prefix string }{
		{"", ""}, {"https://example.org", ""}, {"https://example.org/path?q=1", ""},
		{"https://github.com/denbi/x", "https://github.com/"}, {"https://bio.tools/blast", "https://bio.tools/"},
	}
	for _, c := range ok {
		if err := HTTPSURL(c.value, c.prefix); err != nil {
			t.Errorf("%q (prefix %q): unexpected %v", c.value, c.prefix, err)
		}
	}
	bad := []struct{ value, prefix, code string }{
		{"http://example.org", "", "insecure_url"},
		{"ftp://example.org", "", "insecure_url"},
		{"javascript:alert(1)", "", "insecure_url"},
		{"data:text/html,<b>x</b>", "", "insecure_url"},
		{"//example.com", "", "invalid_url"},
		{"example.org", "", "invalid_url"},
		{"https://", "", "invalid_url"},
		{"https://exa mple.org", "", "invalid_url"},
		{"https://gitlab.com/x", "https://github.com/", "invalid_url_prefix"},
		{"https://bioinformatics.tools/x", "https://bio.tools/", "invalid_url_prefix"},
	}
	for _, c := range bad {
		if got := code(HTTPSURL(c.value, c.prefix)); got != c.code {
			t.Errorf("%q: code %q, want %q", c.value, got, c.code)
		}
	}
}

func TestPublications(t *testing.T) {
	for _, v := range []string{"12345678", "1234, 5678", "10.1016/0022-2836(70)90057-4", " 1234567 ,, 10.1000/xyz123 "} {
		if err := Publications(v); err != nil {
			t.Errorf("%q: unexpected %v", v, err)
		}
	}
	if code(Publications("not-a-pmid-or-doi")) != "invalid_publication" {
		t.Error("garbage accepted")
	}
	if err := Publications("123456789, abc, 10.1/x"); err == nil || !strings.Contains(err.Error(), "'123456789', 'abc', '10.1/x'") {
		t.Errorf("every bad entry must be named: %v", err)
	}
	many := strings.TrimSuffix(strings.Repeat("1, ", 51), ", ")
	if code(Publications(many)) != "too_many_publications" {
		t.Error("51 entries accepted")
	}
	if Publications(strings.TrimSuffix(strings.Repeat("1, ", 50), ", ")) != nil {
		t.Error("50 entries rejected")
	}
	if code(Publications(" , ")) != "required" {
		t.Error("empty list accepted")
	}
}

func TestPublicContact(t *testing.T) {
	for _, v := range []string{"user@example.com", "  user@example.com  ", "https://support.example.com", "https://example.org/help?x=1"} {
		if err := PublicContact(v); err != nil {
			t.Errorf("%q: unexpected %v", v, err)
		}
	}
	for _, v := range []string{"http://support.example.com", "javascript:alert(1)", "data:text/plain,x", "not-valid", "https://", "a@b", "Name <a@b.org>"} {
		if code(PublicContact(v)) != "invalid_public_contact" {
			t.Errorf("%q accepted or wrong code: %v", v, PublicContact(v))
		}
	}
}

func TestORCID(t *testing.T) {
	valid := []string{"", "0000-0002-1825-0097", "0000-0002-1379-9451", "0000-0003-2563-7561", "0000-0002-2177-8781",
		"0000-0003-0921-8041", "0000-0001-5809-2321", "0000-0002-5016-5191", "0000-0002-3960-224X", "0000-0002-3960-224x"}
	for _, v := range valid {
		if err := ORCID(v); err != nil {
			t.Errorf("%q: unexpected %v", v, err)
		}
	}
	invalid := map[string]string{
		"0000-0002-1825-0098": "invalid_orcid_checksum",
		"not-an-orcid":        "invalid_orcid_format",
		"0000-0000-0000-000":  "invalid_orcid_format",
		"1234567890":          "invalid_orcid_format",
	}
	for v, want := range invalid {
		if got := code(ORCID(v)); got != want {
			t.Errorf("%q: code %q, want %q", v, got, want)
		}
	}
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"Test\x00Service": "TestService",
		"cafe\u0301":      "caf\u00e9",
		"  Padded Name  ": "Padded Name",
		"R&D <b>":         "R&D <b>",
		"\t\n x \u00a0":   "x",
		"already clean":   "already clean",
		"\x00\x00":        "",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzValidators runs every validator on arbitrary input: none may panic,
// accepted values must keep their invariants, and Clean must be idempotent.
func FuzzValidators(f *testing.F) {
	for _, seed := range []string{"", "https://github.com/x", "http://x", "12345678, 10.1000/x", "0000-0002-1825-0097",
		"user@example.org", "https://", "\x00caf\u0065\u0301", "javascript:alert(1)", strings.Repeat("9,", 60)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := HTTPSURL(s, "https://github.com/"); err == nil && s != "" && !strings.HasPrefix(s, "https://github.com/") {
			t.Fatalf("accepted %q without the prefix", s)
		}
		if err := HTTPSURL(s, ""); err == nil && s != "" && !strings.HasPrefix(strings.ToLower(s), "https://") {
			t.Fatalf("accepted non-https %q", s)
		}
		if err := Publications(s); err == nil {
			n := len(PublicationTokens(s))
			if n == 0 || n > MaxPublications {
				t.Fatalf("accepted %d publications in %q", n, s)
			}
		}
		if err := ORCID(s); err == nil && s != "" && len(s) != 19 {
			t.Fatalf("accepted ORCID %q", s)
		}
		if err := PublicContact(s); err == nil && strings.TrimSpace(s) == "" {
			t.Fatal("accepted an empty contact")
		}
		c := Clean(s)
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent on %q", s)
		}
		if strings.IndexByte(c, 0) >= 0 {
			t.Fatalf("NUL survived Clean in %q", s)
		}
		if utf8.ValidString(s) && !utf8.ValidString(c) {
			t.Fatalf("Clean broke UTF-8 of %q", s)
		}
	})
}
