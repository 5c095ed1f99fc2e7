package jit

// RefLookups returns how many session lookups MissingRefs has made.
func (j *JIT) RefLookups() int64 { return j.refLookups.Load() }
