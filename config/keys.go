package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// setting is one leaf key of the configuration, e.g. "security.https".
type setting struct {
	key string
	typ reflect.Type
}

var durationType = reflect.TypeFor[time.Duration]()

// settings lists every leaf key of Config with its Go type, in declaration order.
func settings() []setting {
	var out []setting
	walk(reflect.TypeFor[Config](), "", func(key string, t reflect.Type) {
		out = append(out, setting{key: key, typ: t})
	})
	return out
}

func walk(t reflect.Type, prefix string, visit func(key string, t reflect.Type)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("koanf")
		if tag == "" || tag == "-" {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			walk(f.Type, key, visit)
			continue
		}
		visit(key, f.Type)
	}
}

// flatten returns the leaf values of cfg keyed like settings().
func flatten(cfg Config) map[string]any {
	out := map[string]any{}
	var rec func(v reflect.Value, prefix string)
	rec = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("koanf")
			if tag == "" || tag == "-" {
				continue
			}
			key := tag
			if prefix != "" {
				key = prefix + "." + tag
			}
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				rec(v.Field(i), key)
				continue
			}
			out[key] = v.Field(i).Interface()
		}
	}
	rec(reflect.ValueOf(cfg), "")
	return out
}

// coerce converts a raw value from a file, the environment or a flag into the
// Go type of the setting. Strings (from the environment and flags) are parsed;
// typed TOML values must already have the right kind.
func coerce(t reflect.Type, raw any) (any, error) {
	if t == durationType {
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("expected a duration such as \"10m\" or \"1h30m\", got %s", describe(raw))
		}
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("expected a duration such as \"10m\" or \"1h30m\", got %q", s)
		}
		return d, nil
	}

	switch t.Kind() {
	case reflect.String:
		if s, ok := raw.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("expected a string, got %s", describe(raw))
	case reflect.Bool:
		switch v := raw.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "1", "yes", "on":
				return true, nil
			case "false", "0", "no", "off", "":
				return false, nil
			}
			return nil, fmt.Errorf("expected true or false, got %q", v)
		}
		return nil, fmt.Errorf("expected true or false, got %s", describe(raw))
	case reflect.Int, reflect.Int64:
		switch v := raw.(type) {
		case int64:
			return convertInt(t, v), nil
		case int:
			return convertInt(t, int64(v)), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("expected a whole number, got %q", v)
			}
			return convertInt(t, n), nil
		}
		return nil, fmt.Errorf("expected a whole number, got %s", describe(raw))
	case reflect.Slice:
		switch v := raw.(type) {
		case string:
			return splitList(v), nil
		case []string:
			return v, nil
		case []any:
			out := make([]string, 0, len(v))
			for i, item := range v {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("expected a list of strings, item %d is %s", i+1, describe(item))
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, fmt.Errorf("expected a list of strings, got %s", describe(raw))
	}
	return nil, fmt.Errorf("unsupported setting type %s", t)
}

func convertInt(t reflect.Type, n int64) any {
	if t.Kind() == reflect.Int {
		return int(n)
	}
	return n
}

// splitList splits a comma-separated environment or flag value.
func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int64, int, float64:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("a %T", v)
}

// suggest returns the known key closest to an unknown one, or "".
func suggest(unknown string, known []setting) string {
	best, bestDist := "", 4
	for _, s := range known {
		if d := editDistance(unknown, s.key); d < bestDist {
			best, bestDist = s.key, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Keys returns every configuration key ("section.key"), sorted.
func Keys() []string {
	var out []string
	for _, s := range settings() {
		out = append(out, s.key)
	}
	sort.Strings(out)
	return out
}

// EnvName returns the environment variable that sets a key,
// e.g. "security.https" → "REGISTRY_SECURITY__HTTPS".
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "__"))
}
