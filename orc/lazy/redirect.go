package lazy

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// Redirect makes the existing stub name lead lazily to body in source
// (redefinition): the stub is pointed at a new call-through trampoline,
// so the next call through it, from any caller compiled or not, looks body
// up, materializing it, and repoints the stub there. A call-through of the
// stub's earlier target that completes after Redirect does not repoint
// the stub back.
func Redirect(ctx context.Context, ctm *CallThroughManager, stubs *StubsManager, name string, source *orc.JITDylib, body orc.SymbolName) error {
	if _, ok := stubs.FindStub(name); !ok {
		return fmt.Errorf("lazy: redirect: no stub named %q", name)
	}
	gen := stubs.bump(name)
	tr, err := ctm.GetCallThroughTrampolines(ctx, []CallThrough{{JD: source, Name: body, What: name, Notify: func(ctx context.Context, a shared.ExecutorAddr) error {
		return stubs.updateIfCurrent(ctx, name, gen, a)
	}}})
	if err != nil {
		return fmt.Errorf("lazy: redirect %s to %s: %w", name, body, err)
	}
	return stubs.updateIfCurrent(ctx, name, gen, tr[0])
}
