package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
)

// EnvPrefix starts every environment variable the registry reads.
const EnvPrefix = "REGISTRY_"

// EnvConfigPath names the environment variable holding the site.toml path.
const EnvConfigPath = EnvPrefix + "CONFIG"

// DefaultPath is read when present and no other path is given.
const DefaultPath = "site.toml"

// Sources says where settings come from besides the built-in defaults.
type Sources struct {
	// Path of the TOML file. Empty means $REGISTRY_CONFIG, else ./site.toml
	// when it exists. An explicitly named file must exist.
	Path string
	// Environ is the process environment (os.Environ()).
	Environ []string
	// Set holds "section.key=value" overrides from --set flags.
	Set []string
}

// Loaded is a configuration together with where its file came from.
type Loaded struct {
	Config
	// File is the path of the TOML file that was read, or "".
	File string
}

// Load builds the configuration: defaults, then the TOML file, then
// REGISTRY_<SECTION>__<KEY> variables (or <NAME>_FILE with the value in a
// file), then --set flags. Unknown keys and values of the wrong type fail with
// a message naming the key and its source.
func Load(src Sources) (*Loaded, error) {
	known := settings()
	types := map[string]setting{}
	for _, s := range known {
		types[s.key] = s
	}

	k := koanf.New(".")
	if err := k.Load(confmap.Provider(flatten(Default()), "."), nil); err != nil {
		return nil, err
	}

	var errs []error
	layer := func(values map[string]any, source func(key string) string) {
		converted := map[string]any{}
		keys := make([]string, 0, len(values))
		for key := range values {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			raw := values[key]
			if table, isTable := raw.(map[string]any); isTable && len(table) == 0 {
				continue // an empty [section] header
			}
			s, ok := types[key]
			if !ok {
				msg := fmt.Sprintf("%s: unknown setting", source(key))
				if hint := suggest(key, known); hint != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", hint)
				}
				errs = append(errs, errors.New(msg))
				continue
			}
			v, err := coerce(s.typ, raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", source(key), err))
				continue
			}
			converted[key] = v
		}
		if len(converted) > 0 {
			_ = k.Load(confmap.Provider(converted, "."), nil)
		}
	}

	env := environMap(src.Environ)
	path, explicit := src.Path, src.Path != ""
	if path == "" {
		if p, ok := env[EnvConfigPath]; ok && p != "" {
			path, explicit = p, true
		} else {
			path = DefaultPath
		}
	}

	file := ""
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		file = path
		parsed, perr := toml.Parser().Unmarshal(raw)
		if perr != nil {
			return nil, fmt.Errorf("%s is not valid TOML: %w", path, perr)
		}
		flat, _ := maps.Flatten(parsed, nil, ".")
		layer(flat, func(key string) string {
			section, name, found := strings.Cut(key, ".")
			if !found {
				return fmt.Sprintf("%s: %s", path, key)
			}
			return fmt.Sprintf("%s: [%s] %s", path, section, name)
		})
	case explicit || !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("cannot read configuration file %s: %w", path, err)
	}

	envValues, envNames, envErrs := fromEnvironment(env, types)
	errs = append(errs, envErrs...)
	layer(envValues, func(key string) string { return "environment variable " + envNames[key] })

	flagValues := map[string]any{}
	for _, kv := range src.Set {
		key, value, ok := strings.Cut(kv, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("--set %q: expected section.key=value", kv))
			continue
		}
		flagValues[strings.ToLower(strings.TrimSpace(key))] = value
	}
	layer(flagValues, func(key string) string { return "--set " + key })

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	out := &Loaded{File: file}
	if err := k.UnmarshalWithConf("", &out.Config, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return nil, err
	}
	if err := out.Config.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

func environMap(environ []string) map[string]string {
	out := make(map[string]string, len(environ))
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok {
			out[name] = value
		}
	}
	return out
}

// fromEnvironment maps REGISTRY_* variables to keys. A variable ending in
// _FILE holds the path of a file whose content (without the trailing newline)
// is the value, for secrets mounted by Docker or systemd.
func fromEnvironment(env map[string]string, types map[string]setting) (map[string]any, map[string]string, []error) {
	values := map[string]any{}
	names := map[string]string{}
	var errs []error
	for name, value := range env {
		if !strings.HasPrefix(name, EnvPrefix) || name == EnvConfigPath || name == EnvConfigPath+"_FILE" {
			continue
		}
		key := envKey(name)
		if _, ok := types[key]; !ok && strings.HasSuffix(name, "_FILE") {
			plain := strings.TrimSuffix(name, "_FILE")
			fileKey := envKey(plain)
			if _, known := types[fileKey]; known {
				if _, both := env[plain]; both {
					errs = append(errs, fmt.Errorf("environment variables %s and %s are both set: keep one", plain, name))
					continue
				}
				content, err := os.ReadFile(value)
				if err != nil {
					errs = append(errs, fmt.Errorf("environment variable %s: cannot read %s: %w", name, value, err))
					continue
				}
				values[fileKey] = strings.TrimRight(string(content), "\r\n")
				names[fileKey] = name
				continue
			}
		}
		values[key] = value
		names[key] = name
	}
	return values, names, errs
}

func envKey(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "__", "."))
}
