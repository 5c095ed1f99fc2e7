package codecache

import (
	"bytes"
	"testing"
)

// FuzzVerify: any file content under an entry's name is either a whole,
// checksummed entry for that key, or rejected with a reason; never a
// panic, never a payload that was not stored.
func FuzzVerify(f *testing.F) {
	k := NewKey("fuzz").String("input", "x").Sum()
	good := encode(k, []byte("payload"))
	f.Add(good)
	f.Add(good[:headerSize])
	f.Add(encode(k, nil))
	f.Add(encode(NewKey("fuzz").Sum(), []byte("payload")))
	f.Add([]byte("gorccach"))
	f.Fuzz(func(t *testing.T, data []byte) {
		payload, reason := verify(k, data)
		if reason == "" {
			if !bytes.Equal(encode(k, payload), data) {
				t.Fatalf("accepted an entry that is not the encoding of its payload")
			}
		} else if payload != nil {
			t.Fatalf("rejected (%s) but returned a payload", reason)
		}
	})
}
