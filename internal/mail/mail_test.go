package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() Data {
	return Data{
		Site: Site{Name: "de.NBI Service Registry", URL: "https://registry.example.org", ContactEmail: "office@example.org",
			Organisation: "German Network for Bioinformatics Infrastructure", Website: "https://www.denbi.de"},
		Submission: Submission{ID: "0b6f", Name: "Proteome <Explorer> & Co", Status: "approved", StatusLabel: "Approved",
			SubmitterFirstName: "Ada", SubmitterLastName: "Lovelace", Submitter: "Ada Lovelace, Uni",
			PublicContact: "https://support.example.org", PublicContactIsURL: true, UpdatedAt: "2026-11-25 10:00 UTC"},
		Changes:       []Change{{Label: "Service Name", Old: "Old <b>", New: "New"}},
		StatusMessage: StatusMessage("approved"),
		AdminURL:      "https://registry.example.org/_/#/x",
	}
}

func TestEveryKindRenders(t *testing.T) {
	r, err := NewRenderer("")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range Kinds {
		msg, err := r.Render(kind, sample())
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !strings.Contains(msg.Subject, "Proteome <Explorer> & Co") || strings.ContainsAny(msg.Subject, "\r\n") {
			t.Errorf("%s: subject %q", kind, msg.Subject)
		}
		if !strings.Contains(msg.HTML, "Proteome &lt;Explorer&gt; &amp; Co") || strings.Contains(msg.HTML, "<Explorer>") {
			t.Errorf("%s: HTML must escape user data", kind)
		}
		if !strings.Contains(msg.Text, "office@example.org") || !strings.Contains(msg.HTML, "office@example.org") {
			t.Errorf("%s: contact address missing", kind)
		}
		if strings.HasPrefix(string(kind), "submitter") && !strings.Contains(msg.Text, "replies to it are not read") {
			t.Errorf("%s: submitter emails say not to reply", kind)
		}
	}
}

func TestResetNoticeOnlyWhenReset(t *testing.T) {
	r, _ := NewRenderer("")
	d := sample()
	msg, _ := r.Render(SubmitterUpdated, d)
	if strings.Contains(msg.Text, "lifecycle") {
		t.Fatal("no reset notice without a reset")
	}
	d.StatusReset = true
	msg, _ = r.Render(SubmitterUpdated, d)
	if !strings.Contains(msg.Text, "lifecycle") || !strings.Contains(msg.HTML, "lifecycle") {
		t.Fatal("reset notice missing")
	}
	if !strings.Contains(msg.Text, "Service Name") || !strings.Contains(msg.HTML, "Old &lt;b&gt;") {
		t.Fatal("change table missing or unescaped")
	}
}

func TestOperatorTemplatesReplaceEmbeddedOnes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "admin_created.subject.tmpl"), []byte("NEU: {{.Submission.Name}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(dir)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := r.Render(AdminCreated, sample())
	if msg.Subject != "NEU: Proteome <Explorer> & Co" {
		t.Fatalf("override not used: %q", msg.Subject)
	}
	if _, err := NewRenderer(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing templates directory must fail at start")
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.txt.tmpl"), []byte("{{.Nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRenderer(dir); err == nil || !strings.Contains(err.Error(), "broken.txt.tmpl") {
		t.Fatalf("a broken template must name its file: %v", err)
	}
}
