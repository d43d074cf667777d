// Package validate holds the registry's input rules as pure functions, so
// that the model hooks, the compatibility API, the importer and the fuzz
// tests share one implementation. Every error message says what to fix.
package validate

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Error is a rule violation with a stable code and a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// HTTPSURL checks an optional web address: empty is fine, anything else must
// be an absolute https:// URL with a host, starting with prefix when one is
// given (e.g. "https://github.com/").
func HTTPSURL(value, prefix string) error {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.Opaque != "" {
		if err == nil && u.Scheme != "" && !strings.EqualFold(u.Scheme, "https") {
			return fail("insecure_url", "Use an https:// address; %s:// and other schemes are not accepted.", strings.ToLower(u.Scheme))
		}
		return fail("invalid_url", "Enter a complete web address starting with https://, e.g. https://example.org/.")
	}
	if strings.ContainsAny(value, " \t\r\n") {
		return fail("invalid_url", "A web address cannot contain spaces.")
	}
	if prefix != "" && !strings.HasPrefix(value, prefix) {
		return fail("invalid_url_prefix", "This link must start with %s.", prefix)
	}
	return nil
}

var (
	pmidPattern = regexp.MustCompile(`^\d{1,8}$`)
	doiPattern  = regexp.MustCompile(`^10\.\d{4,}/\S+$`)
)

// MaxPublications is the largest number of PMIDs/DOIs a service may list.
const MaxPublications = 50

// PublicationTokens splits a comma-separated publications field into its
// trimmed, non-empty entries.
func PublicationTokens(value string) []string {
	var out []string
	for _, part := range strings.Split(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Publications checks a comma-separated list of PubMed ids and DOIs.
func Publications(value string) error {
	tokens := PublicationTokens(value)
	if len(tokens) == 0 {
		return fail("required", "List at least one PubMed id or DOI. Services without a publication (e.g. consulting) enter 1234567.")
	}
	if len(tokens) > MaxPublications {
		return fail("too_many_publications", "List at most %d publications (found %d).", MaxPublications, len(tokens))
	}
	var bad []string
	for _, t := range tokens {
		if !pmidPattern.MatchString(t) && !doiPattern.MatchString(t) {
			bad = append(bad, quote(t))
		}
	}
	if len(bad) > 0 {
		return fail("invalid_publication",
			"Not a PubMed id or DOI: %s. PubMed ids are digits only (12345678); DOIs start with 10. and a slash (10.1000/xyz123).",
			strings.Join(bad, ", "))
	}
	return nil
}

// PublicContact checks the public contact: an email address or an https://
// page (e.g. a support form).
func PublicContact(value string) error {
	value = strings.TrimSpace(value)
	if value == "" {
		return fail("required", "Give a public contact: an email address or an https:// support page.")
	}
	if strings.HasPrefix(strings.ToLower(value), "https://") {
		if err := HTTPSURL(value, ""); err != nil {
			return fail("invalid_public_contact", "Enter a valid email address or a complete https:// address of a support page.")
		}
		return nil
	}
	if Email(value) == nil {
		return nil
	}
	return fail("invalid_public_contact", "Enter a valid email address or a web address starting with https:// (for a support form).")
}

// Email checks a plain email address (no display name).
func Email(value string) error {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || !strings.Contains(value[strings.LastIndex(value, "@")+1:], ".") {
		return fail("invalid_email", "Enter a valid email address, e.g. name@example.org.")
	}
	return nil
}

var orcidPattern = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{3}[\dXx]$`)

// ORCID checks an optional ORCID iD: format 0000-0000-0000-000X and the
// ISO 7064 MOD 11-2 check digit.
func ORCID(value string) error {
	if value == "" {
		return nil
	}
	if !orcidPattern.MatchString(value) {
		return fail("invalid_orcid_format", "Write the ORCID iD as 0000-0000-0000-0000 (the last character may be X).")
	}
	total := 0
	for _, r := range strings.ReplaceAll(value[:len(value)-1], "-", "") {
		total = (total + int(r-'0')) * 2
	}
	check := (12 - total%11) % 11
	want := "X"
	if check < 10 {
		want = fmt.Sprint(check)
	}
	if !strings.EqualFold(value[len(value)-1:], want) {
		return fail("invalid_orcid_checksum", "This ORCID iD has a typo: its check digit does not match. Copy it from your ORCID profile.")
	}
	return nil
}

// Length checks that a value has between min and max characters (0 means no bound).
func Length(value string, min, max int, what string) error {
	n := utf8.RuneCountInString(value)
	if min > 0 && n < min {
		return fail("too_short", "%s needs at least %d characters (it has %d).", what, min, n)
	}
	if max > 0 && n > max {
		return fail("too_long", "%s may have at most %d characters (it has %d).", what, max, n)
	}
	return nil
}

func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return "'" + s + "'"
}
