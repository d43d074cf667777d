package apidocs

import "go.yaml.in/yaml/v4"

// RenderSource exposes render to the tests, for sources other than the
// embedded document (the fuzz target).
func RenderSource(src []byte, config Config) (*Document, error) {
	return render(src, config.withDefaults())
}

// CountNodes is the size of the resolved embedded document, to keep
// maxNodes far above it.
func CountNodes() (int, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(source, &root); err != nil {
		return 0, err
	}
	budget := maxNodes
	if _, err := resolve(&root, 0, &budget); err != nil {
		return 0, err
	}
	return maxNodes - budget, nil
}
