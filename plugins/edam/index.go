package edam

import (
	"bytes"
	"encoding/json/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// termItem is the compact JSON shape of a term in /api/v1/edam/ lists.
type termItem struct {
	ID        int64  `json:"id"`
	URI       string `json:"uri"`
	Accession string `json:"accession"`
	Branch    string `json:"branch"`
	Label     string `json:"label"`
	URL       string `json:"url"`
}

// indexedTerm is a current term prepared for matching: lower-cased texts
// and its list item already encoded.
type indexedTerm struct {
	branch     string
	rank       int // branchRank
	sortOrder  int
	labelLen   int    // in characters: shorter labels rank first
	label      string // lower-cased
	synonyms   []string
	definition string
	item       []byte
}

// termIndex holds every current term in list order (branch, sort_order)
// and the encoded answers to frequent queries. It is rebuilt, never
// modified, except for the answer cache.
type termIndex struct {
	terms    []indexedTerm
	byBranch map[string][]int // positions in terms
	// texts holds, per branch ("" for all), the lower-cased texts of its
	// terms in one string, so one strings.Index call skips every term
	// that cannot match.
	texts map[string]*haystack

	mu         sync.RWMutex
	cache      map[string][]byte
	cacheBytes int
}

// Limits of the answer cache: only short queries are kept (the typeahead
// sends prefixes), and the cache starts over when it holds too many
// answers or bytes, so odd requests cannot make it grow without bound.
const (
	maxCachedQuery  = 64
	maxCacheEntries = 4096
	maxCacheBytes   = 8 << 20
	maxCachedAnswer = 1 << 20
)

// indexRow is what buildIndex reads from the table.
type indexRow struct {
	ID         string `db:"id"`
	URI        string `db:"uri"`
	Accession  string `db:"accession"`
	Branch     string `db:"branch"`
	Label      string `db:"label"`
	Definition string `db:"definition"`
	Synonyms   string `db:"synonyms"`
	SortOrder  int    `db:"sort_order"`
}

// tableStamp summarises the state of edam_terms (row count and latest
// change). Writes made by another process, such as "registry edam sync"
// next to a running server, fire no hooks here; a changed stamp reveals them.
func tableStamp(app core.App) (string, error) {
	var row struct {
		N      int    `db:"n"`
		Latest string `db:"latest"`
	}
	err := app.DB().Select("COUNT(*) AS n", "COALESCE(MAX(updated), '') AS latest").From(Collection).One(&row)
	return strconv.Itoa(row.N) + "@" + row.Latest, err
}

// buildIndex loads the current (non-obsolete) terms.
func buildIndex(app core.App) (*termIndex, error) {
	var rows []indexRow
	err := app.DB().
		Select("id", "uri", "accession", "branch", "label", "definition", "synonyms", "sort_order").
		From(Collection).
		Where(dbx.HashExp{"obsolete": false}).
		All(&rows)
	if err != nil {
		return nil, err
	}
	return newTermIndex(rows)
}

// newTermIndex prepares rows for searching.
func newTermIndex(rows []indexRow) (*termIndex, error) {
	idx := &termIndex{terms: make([]indexedTerm, 0, len(rows)), byBranch: map[string][]int{}}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r.ID, 10, 64)
		item, err := json.Marshal(termItem{ID: id, URI: r.URI, Accession: r.Accession, Branch: r.Branch,
			Label: r.Label, URL: TermURL(r.Accession)})
		if err != nil {
			return nil, err
		}
		var syn []string
		if r.Synonyms != "" {
			_ = json.Unmarshal([]byte(r.Synonyms), &syn)
		}
		for i := range syn {
			syn[i] = strings.ToLower(syn[i])
		}
		idx.terms = append(idx.terms, indexedTerm{
			branch: r.Branch, rank: branchRank(r.Branch), sortOrder: r.SortOrder,
			labelLen: utf8.RuneCountInString(r.Label), label: strings.ToLower(r.Label),
			synonyms: syn, definition: strings.ToLower(r.Definition), item: item,
		})
	}
	// the list order of the original: branch, then sort_order
	slices.SortStableFunc(idx.terms, func(a, b indexedTerm) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return a.sortOrder - b.sortOrder
	})
	all := make([]int, len(idx.terms))
	for i := range idx.terms {
		all[i] = i
		b := idx.terms[i].branch
		idx.byBranch[b] = append(idx.byBranch[b], i)
	}
	idx.texts = map[string]*haystack{"": idx.haystack(all)}
	for b, positions := range idx.byBranch {
		idx.texts[b] = idx.haystack(positions)
	}
	return idx, nil
}

// haystack is the searchable text of some terms: entry k starts at
// starts[k] and belongs to terms[positions[k]].
type haystack struct {
	text      string
	starts    []int
	positions []int
}

// haystack joins the label, synonyms and definition of the terms at
// positions, separated by NUL bytes.
func (idx *termIndex) haystack(positions []int) *haystack {
	h := &haystack{starts: make([]int, len(positions)), positions: positions}
	var b strings.Builder
	for k, pos := range positions {
		t := &idx.terms[pos]
		h.starts[k] = b.Len()
		b.WriteString(t.label)
		for _, s := range t.synonyms {
			b.WriteByte(0)
			b.WriteString(s)
		}
		b.WriteByte(0)
		b.WriteString(t.definition)
		b.WriteByte(0)
	}
	h.text = b.String()
	return h
}

// search answers a list request: the current terms of branch (all when
// empty), matching q when given, at most limit of them (all when 0), as an
// encoded JSON array. Without q the order is branch, sort_order; with q it
// is relevance (see matchTier), then shorter labels first.
func (idx *termIndex) search(branch, q string, limit int) []byte {
	q = strings.ToLower(q)
	cacheable := len(q) <= maxCachedQuery
	key := branch + "\x00" + q + "\x00" + strconv.Itoa(limit)
	if cacheable {
		idx.mu.RLock()
		body, ok := idx.cache[key]
		idx.mu.RUnlock()
		if ok {
			return body
		}
	}

	var positions []int
	switch {
	case q != "":
		positions = idx.rank(branch, q, limit)
	case branch == "":
		positions = idx.texts[""].positions // every term, in list order
	default:
		positions = idx.byBranch[branch] // nil for unknown branches: []
	}
	if limit > 0 && len(positions) > limit {
		positions = positions[:limit]
	}

	size := 2
	for _, pos := range positions {
		size += len(idx.terms[pos].item) + 1
	}
	var buf bytes.Buffer
	buf.Grow(size)
	buf.WriteByte('[')
	for i, pos := range positions {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(idx.terms[pos].item)
	}
	buf.WriteByte(']')
	body := buf.Bytes()

	if cacheable && len(body) <= maxCachedAnswer {
		idx.mu.Lock()
		if idx.cache == nil || len(idx.cache) >= maxCacheEntries || idx.cacheBytes+len(body) > maxCacheBytes {
			idx.cache, idx.cacheBytes = make(map[string][]byte, 64), 0
		}
		if _, dup := idx.cache[key]; !dup {
			idx.cache[key] = body
			idx.cacheBytes += len(body)
		}
		idx.mu.Unlock()
	}
	return body
}

// rank returns the positions of the terms of branch matching q, best
// first: by tier, then shorter label, then label, then list order. Only
// the tiers needed to fill limit (0: all) are sorted.
func (idx *termIndex) rank(branch, q string, limit int) []int {
	h := idx.texts[branch]
	if h == nil {
		return nil
	}
	var tiers [tierCount][]int
	k := 0 // the entry holding the match; matches come in text order
	for from := 0; from < len(h.text); {
		i := strings.Index(h.text[from:], q)
		if i < 0 {
			break
		}
		i += from
		for k+1 < len(h.starts) && h.starts[k+1] <= i {
			k++
		}
		// matchTier checks the entry properly: a match across the
		// separators is no match
		pos := h.positions[k]
		if tier := matchTier(&idx.terms[pos], q); tier >= 0 {
			tiers[tier] = append(tiers[tier], pos)
		}
		if k+1 >= len(h.starts) {
			break
		}
		k++
		from = h.starts[k]
	}
	var out []int
	for _, tier := range tiers {
		if limit > 0 && len(out) >= limit {
			break
		}
		slices.SortFunc(tier, func(a, b int) int {
			ta, tb := &idx.terms[a], &idx.terms[b]
			if ta.labelLen != tb.labelLen {
				return ta.labelLen - tb.labelLen
			}
			if c := strings.Compare(ta.label, tb.label); c != 0 {
				return c
			}
			return a - b
		})
		out = append(out, tier...)
	}
	return out
}

// Relevance tiers of a match, best first. The form's typeahead sends what
// the user has typed so far, so a label that starts with it beats one that
// merely contains it, and any label match beats synonyms and definitions.
const (
	tierLabelExact = iota
	tierLabelPrefix
	tierLabelWord
	tierLabelInside
	tierSynonymWord
	tierSynonymInside
	tierDefinitionWord
	tierDefinitionInside
	tierCount
)

// matchTier returns the best tier at which t matches the lower-cased q, or
// -1 when q occurs in neither label, synonyms nor definition.
func matchTier(t *indexedTerm, q string) int {
	if t.label == q {
		return tierLabelExact
	}
	if strings.HasPrefix(t.label, q) {
		return tierLabelPrefix
	}
	if at := wordMatch(t.label, q); at >= 0 {
		return tierLabelWord + at
	}
	best := -1
	for _, s := range t.synonyms {
		if at := wordMatch(s, q); at >= 0 && (best < 0 || at < best) {
			best = at
			if at == 0 {
				break
			}
		}
	}
	if best >= 0 {
		return tierSynonymWord + best
	}
	if at := wordMatch(t.definition, q); at >= 0 {
		return tierDefinitionWord + at
	}
	return -1
}

// wordMatch returns 0 when q starts a word of s, 1 when it only occurs
// inside a word, and -1 when s does not contain q.
func wordMatch(s, q string) int {
	found := -1
	for from := 0; from <= len(s)-len(q); {
		i := strings.Index(s[from:], q)
		if i < 0 {
			break
		}
		i += from
		if i == 0 {
			return 0
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(prev) && !unicode.IsDigit(prev) {
			return 0
		}
		found = 1
		_, size := utf8.DecodeRuneInString(s[i:])
		from = i + size
	}
	return found
}

// currentIndex returns the search index, rebuilt first if terms changed.
func (p *plugin) currentIndex() (*termIndex, error) { return p.index.Get() }
