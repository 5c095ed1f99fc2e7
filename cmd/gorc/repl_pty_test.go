package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// ptySession is gorc running on a pseudo-terminal that the test opened
// (as a terminal emulator would): the test types into the master side
// and reads what the terminal shows. gorc is a session leader with the
// terminal as its controlling terminal, so Ctrl-C typed while the
// terminal is in its normal mode is SIGINT to gorc and its child
// executor, as in a shell.
type ptySession struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd

	mu   sync.Mutex
	out  []byte
	seen int           // expect consumed out[:seen]
	last time.Time     // when the terminal last showed something
	done chan struct{} // the reader ended (the terminal closed)

	waited chan struct{}
	err    error // cmd.Wait's
}

// openPTY returns a new pseudo-terminal's master and slave.
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening /dev/ptmx: %w", err)
	}
	unlock := int32(0)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("unlocking the pty: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("pty number: %w", e)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// startPTY runs bin with args on a new pseudo-terminal, with env added
// to the environment. The process is killed when the test ends.
func startPTY(t *testing.T, env []string, bin string, args ...string) *ptySession {
	t.Helper()
	return startPTYIn(t, "", env, bin, args...)
}

// startPTYIn is startPTY in the working directory dir.
func startPTYIn(t *testing.T, dir string, env []string, bin string, args ...string) *ptySession {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		t.Fatal(err)
	}
	slave.Close()
	s := &ptySession{t: t, master: master, cmd: cmd, done: make(chan struct{}), waited: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.mu.Lock()
			s.out = append(s.out, buf[:n]...)
			if n > 0 {
				s.last = time.Now()
			}
			s.mu.Unlock()
			if err != nil {
				return // EIO once every holder of the slave side is gone
			}
		}
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.waited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.waited:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its process group: gorc and its executor
			<-s.waited
		}
		master.Close()
	})
	return s
}

// send types s.
func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.master.Write([]byte(text)); err != nil {
		s.t.Fatalf("typing %q: %v", text, err)
	}
}

// ptyMinTimeout is the least time a pty test waits without progress:
// the timeouts only tell a hang. The tests assert no speed through them
// (they time what they mean to), and a loaded CI machine running -race
// may need several times the few seconds the callers name.
const ptyMinTimeout = 30 * time.Second

// stalled reports whether nothing has happened for timeout: neither since
// start nor since the terminal last showed something (progress restarts
// the clock, up to 4 timeouts in all, so that endless output still ends
// the wait).
func (s *ptySession) stalled(start time.Time, timeout time.Duration) bool {
	s.mu.Lock()
	last := s.last
	s.mu.Unlock()
	now := time.Now()
	if now.Sub(start) > 4*timeout {
		return true
	}
	if last.Before(start) {
		last = start
	}
	return now.Sub(last) > timeout
}

// expect waits until the terminal shows want after what earlier expects
// consumed, and consumes up to its end; it fails the test when the
// terminal has shown nothing new for timeout (at least ptyMinTimeout)
// without showing want.
func (s *ptySession) expect(want string, timeout time.Duration) {
	s.t.Helper()
	timeout = max(timeout, ptyMinTimeout)
	start := time.Now()
	for {
		s.mu.Lock()
		i := strings.Index(string(s.out[s.seen:]), want)
		if i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if s.stalled(start, timeout) {
			s.t.Fatalf("the terminal did not show %q (nothing new for %v, %v in all); it shows (after what was already matched):\n%q\nall:\n%q", want, timeout, time.Since(start).Round(time.Millisecond), s.rest(), s.all())
		}
		select {
		case <-s.done:
			s.mu.Lock()
			found := strings.Contains(string(s.out[s.seen:]), want)
			s.mu.Unlock()
			if !found {
				s.t.Fatalf("the terminal closed without showing %q; it showed:\n%q", want, s.all())
			}
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *ptySession) rest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out[s.seen:])
}

func (s *ptySession) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out)
}

// wait waits for gorc to end and returns its exit status (-1 for a
// signal); it fails the test when gorc has not ended and the terminal
// has shown nothing new for timeout (at least ptyMinTimeout).
func (s *ptySession) wait(timeout time.Duration) int {
	s.t.Helper()
	timeout = max(timeout, ptyMinTimeout)
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-s.waited:
			break wait
		case <-tick.C:
			if s.stalled(start, timeout) {
				s.t.Fatalf("gorc did not end (nothing new on the terminal for %v, %v in all); the terminal shows:\n%q", timeout, time.Since(start).Round(time.Millisecond), s.all())
			}
		}
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	if s.err != nil {
		s.t.Fatal(s.err)
	}
	return 0
}
