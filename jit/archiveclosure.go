package jit

// closeArchives makes every archive generator link the closure of the
// members a lookup needs as one wave (objlayer.ArchiveGenerator.
// LinkClosure) instead of one wave per round of external lookups. The
// archives are the only generators before the process symbols (and a
// shared executor's generator), as LinkClosure requires. j.mu is held.
func (j *JIT) closeArchives() {
	for _, g := range j.archives {
		g.LinkClosure(j.archives...)
	}
}
