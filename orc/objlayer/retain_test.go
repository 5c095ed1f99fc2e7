package objlayer

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

// TestModuleRecordsCompact: the module records of a tracker that defines
// one symbol and references one (a lazily compiled function's) keep
// at most modRecordBound bytes live each: 226 measured with a list of
// names per tracker, 415 with a map.
func TestModuleRecordsCompact(t *testing.T) {
	const n, modRecordBound = 4000, 300
	es := orc.NewExecutionSession()
	jd, err := es.CreateJITDylib("main")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]orc.SymbolName, n)
	objects := make([]string, n)
	for i := range names {
		names[i] = es.Intern("f" + strconv.Itoa(i))
		objects[i] = "f" + strconv.Itoa(i) + ".o"
	}
	var l Layer
	l.modLog = NewBacklog(modBatch, l.applyModRecords)
	live := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := live()
	for i := range n {
		dep := names[max(i-1, 0)]
		l.recordModuleLocked(orc.ResourceKey(i+1), jd, objects[i],
			orc.SymbolFlagsMap{names[i]: orc.Exported | orc.Callable},
			map[*orc.JITDylib][]orc.SymbolName{jd: {dep}})
	}
	after := live()
	per := (int64(after) - int64(before)) / n
	t.Logf("%d bytes per tracker's records", per)
	if per > modRecordBound {
		t.Errorf("a one-symbol tracker's module records keep %d bytes live, more than %d", per, modRecordBound)
	}
	// The records still answer: f1's tracker is depended on by f2's.
	deps := l.Dependents(2)
	if len(deps) != 1 || deps[0].Symbol != "f1" || deps[0].Object != "f2.o" || deps[0].Definer != "f1.o" {
		t.Errorf("Dependents(f1's tracker) = %+v, want f2.o referencing f1 defined by f1.o", deps)
	}
	runtime.KeepAlive(&l)
}
