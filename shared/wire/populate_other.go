//go:build !linux

package wire

// populate is a no-op off Linux: the payload's pages fault in as the
// reads reach them.
func populate(b []byte) {}
