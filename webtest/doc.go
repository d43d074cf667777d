// Package webtest holds the end-to-end tests of the submitters' web pages
// (pb_public/site): they start the real registry binary, drive its pages in
// headless Chromium (internal/browsertest) and check the results through
// the API. The package has no code of its own; the tests are in package
// webtest_test.
//
// Run them with:
//
//	go test ./webtest/
//
// They need Chromium (skipped without it, unless BROWSER_TESTS_REQUIRED is
// set) and write screenshots of every page to test-output/screenshots/.
// The bio.tools prefill test reads ../shared/data and is skipped when that
// folder is absent.
package webtest
