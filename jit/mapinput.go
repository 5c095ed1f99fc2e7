package jit

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// minMappedInput is the smallest input file Options.MapInputs maps: below
// it, one read(2) into a small buffer costs less than a mapping (an mmap,
// its page faults and an munmap).
const minMappedInput = 64 << 10

// readInput reads an input file (an object, archive or IR file): mapped
// (private, copy-on-write) when Options.MapInputs is set and the file is
// large enough, read into a fresh buffer otherwise.
func (j *JIT) readInput(path string) ([]byte, error) {
	if !j.opts.MapInputs {
		return readInput(path)
	}
	data, mapped, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("jit: reading input: %w", err)
	}
	if mapped {
		j.mu.Lock()
		j.mappings = append(j.mappings, data)
		j.mu.Unlock()
	}
	return data, nil
}

// ReadInput returns the content of an input file as AddInput reads it:
// mapped when Options.MapInputs is set and the file is large (the mapping
// lives until Close, so the slice may be kept, e.g. by AddLazyIR for the
// bodies it parses later), read otherwise.
// The error is the file system's (it names the file).
func (j *JIT) ReadInput(path string) ([]byte, error) {
	if !j.opts.MapInputs {
		return os.ReadFile(path)
	}
	data, mapped, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	if mapped {
		j.mu.Lock()
		j.mappings = append(j.mappings, data)
		j.mu.Unlock()
	}
	return data, nil
}

// mapFile returns the content of the regular file path, mapped private
// and writable (copy-on-write: the linker may edit what it parsed without
// touching the file) when it is at least minMappedInput bytes, read
// otherwise; mapped says which, and a mapped slice must be unmapped with
// syscall.Munmap when no longer used.
func mapFile(path string) (data []byte, mapped bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := st.Size()
	if !st.Mode().IsRegular() || size < minMappedInput || int64(int(size)) != size {
		data, err := os.ReadFile(path)
		return data, false, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false, fmt.Errorf("mapping %s (%d bytes): %w", path, size, err)
	}
	return data, true, nil
}

// unmapInputs releases the input files mapped by readInput (Close),
// once no archive member is being parsed ahead of need any more.
func (j *JIT) unmapInputs() error {
	j.mu.Lock()
	ms := j.mappings
	j.mappings = nil
	archives := j.archives
	j.mu.Unlock()
	if len(ms) == 0 {
		return nil
	}
	for _, a := range archives {
		a.Wait()
	}
	var errs []error
	for _, m := range ms {
		errs = append(errs, unmap(m))
	}
	return errors.Join(errs...)
}

// unmap releases one mapping made by mapFile.
func unmap(m []byte) error {
	if err := syscall.Munmap(m); err != nil {
		return fmt.Errorf("jit: unmapping an input (%d bytes): %w", len(m), err)
	}
	return nil
}
