// Package diag holds helpers shared by the diagnostics of gorc's parsers
// and linker: quoting user text without copying all of it into an error.
package diag

import (
	"fmt"
	"unicode/utf8"
)

// MaxQuote is how many bytes of a token, name or other user text an error
// message quotes; Clip shortens anything longer.
const MaxQuote = 64

// Clip returns s if it is at most MaxQuote bytes long, and otherwise its
// first MaxQuote bytes (cut at a UTF-8 boundary) followed by "…(N bytes)"
// giving s's full length, so that a 50 MB identifier gives a short error
// line.
func Clip(s string) string { return ClipN(s, MaxQuote) }

// ClipN is Clip with a limit of max bytes instead of MaxQuote (for text
// that is longer by nature, such as a whole instruction).
func ClipN(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:n], len(s))
}

// ClipArgs returns args with every string, and the String of every
// fmt.Stringer, passed through Clip: for the arguments of a diagnostic's
// format, so that no verb quotes unbounded user text.
func ClipArgs(args []any) []any {
	out := args
	for i, a := range args {
		var c any
		switch v := a.(type) {
		case string:
			if len(v) <= MaxQuote {
				continue
			}
			c = Clip(v)
		case error:
			continue // an error's text is already a diagnostic
		case fmt.Stringer:
			s := v.String()
			if len(s) <= MaxQuote {
				continue
			}
			c = Clip(s)
		default:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = c
	}
	return out
}
