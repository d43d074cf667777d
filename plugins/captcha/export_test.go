package captcha

// Check exposes the verification without spending, for the external tests
// and benchmarks (which cannot live here: they import internal/testapp).
func (c *Captcha) Check(payload string) error {
	_, err := c.check(payload)
	return err
}
