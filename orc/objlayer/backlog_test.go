package objlayer_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/orc/objlayer"
)

// TestBacklogFlushSeesEveryAdd: whatever was added before Flush is
// applied when Flush returns, in the order added, whether a goroutine
// applied it in a batch or Flush did, with producers on several
// goroutines and readers flushing meanwhile.
func TestBacklogFlushSeesEveryAdd(t *testing.T) {
	for _, batch := range []int{1, 3, 32, 1000} {
		t.Run(fmt.Sprint("batch", batch), func(t *testing.T) {
			var mu sync.Mutex
			applied := map[int][]int{} // producer -> values in applied order
			calls := 0
			b := objlayer.NewBacklog(batch, func(xs [][2]int) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				for _, x := range xs {
					applied[x[0]] = append(applied[x[0]], x[1])
				}
			})
			const producers, per = 4, 500
			var wg sync.WaitGroup
			for p := range producers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						b.Add([2]int{p, i})
						if i%97 == 0 {
							b.Flush()
							mu.Lock()
							n := len(applied[p])
							mu.Unlock()
							if n != i+1 {
								t.Errorf("producer %d: after Flush %d of its %d records applied", p, n, i+1)
							}
						}
					}
				}()
			}
			wg.Wait()
			b.Flush()
			if b.Len() != 0 {
				t.Errorf("Len after Flush = %d", b.Len())
			}
			for p := range producers {
				got := applied[p]
				if len(got) != per {
					t.Fatalf("producer %d: %d records applied, want %d", p, len(got), per)
				}
				for i, v := range got {
					if v != i {
						t.Fatalf("producer %d: record %d applied as %d-th (out of order)", p, v, i)
					}
				}
			}
			if batch >= producers*per && calls > producers*per/97+producers+1 {
				t.Errorf("batch %d: apply called %d times: more than the flushes", batch, calls)
			}
		})
	}
}

// ExampleBacklog: records are applied in batches by a goroutine; a
// reader flushes before reading what they build.
func ExampleBacklog() {
	var mu sync.Mutex
	total := 0
	b := objlayer.NewBacklog(8, func(xs []int) {
		mu.Lock()
		defer mu.Unlock()
		for _, x := range xs {
			total += x
		}
	})
	for i := 1; i <= 10; i++ {
		b.Add(i) // cheap: the eighth starts a goroutine applying a batch
	}
	b.Flush() // everything added so far is applied
	mu.Lock()
	fmt.Println(total)
	mu.Unlock()
	// Output: 55
}

// BenchmarkBacklogAdd: what a producer pays per record (batches of 32
// applied by a goroutine), against starting a goroutine per record.
func BenchmarkBacklogAdd(b *testing.B) {
	var sink atomicSink
	b.Run("batch32", func(b *testing.B) {
		bl := objlayer.NewBacklog(32, func(xs []int) {
			for _, x := range xs {
				sink.add(x)
			}
		})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			bl.Add(i)
		}
		bl.Flush()
	})
	b.Run("goroutine-per-record", func(b *testing.B) {
		var wg sync.WaitGroup
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			wg.Add(1)
			go func() { sink.add(i); wg.Done() }()
		}
		wg.Wait()
	})
}

type atomicSink struct {
	mu sync.Mutex
	n  int
}

func (s *atomicSink) add(x int) { s.mu.Lock(); s.n += x; s.mu.Unlock() }
