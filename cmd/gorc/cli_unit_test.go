package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// Unit tests of the command line's helpers (no cgo, no subprocess).

func TestFormatVersion(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	plat := " " + runtime.GOOS + "/" + runtime.GOARCH
	info := func(ver string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "gorc", Version: ver}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name             string
		bi               *debug.BuildInfo
		override, commit string
		want             string
	}{
		{"devel clean", info("(devel)", "vcs.revision", rev, "vcs.modified", "false"), "", "", "(devel) commit 0123456789ab go1.99.1" + plat},
		{"devel modified", info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "", "", "(devel) commit 0123456789ab (modified) go1.99.1" + plat},
		{"tagged", info("v1.2.3", "vcs.revision", rev), "", "", "v1.2.3 commit 0123456789ab go1.99.1" + plat},
		{"no vcs", info("(devel)"), "", "", "(devel) commit unknown go1.99.1" + plat},
		{"no vcs, commit from the Makefile", info("(devel)"), "", rev, "(devel) commit 0123456789ab go1.99.1" + plat},
		{"vcs wins over the Makefile", info("(devel)", "vcs.revision", "fedcba9876543210"), "", rev, "(devel) commit fedcba987654 go1.99.1" + plat},
		{"link-time version", info("(devel)", "vcs.revision", rev), "v9.9.9", "", "v9.9.9 commit 0123456789ab go1.99.1" + plat},
		{"no build info", nil, "", "", "(devel) commit unknown " + runtime.Version() + plat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatVersion(tc.bi, tc.override, tc.commit); got != tc.want {
				t.Errorf("formatVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClearTextWarning(t *testing.T) {
	tests := []struct {
		exec string
		warn bool
	}{
		{"local", false},
		{"child", false},
		{"tcp://127.0.0.1:20000", false},
		{"tcp://127.1.2.3:20000", false},
		{"tcp://[::1]:20000", false},
		{"tcp://localhost:20000", false},
		{"tcp://0.0.0.0:20000", false},
		{"tls://10.0.0.5:20000", false},
		{"tcp://10.0.0.5:20000", true},
		{"tcp://[2001:db8::1]:20000", true},
		{"tcp://build-host.example.org:20000", true},
	}
	for _, tc := range tests {
		t.Run(tc.exec, func(t *testing.T) {
			w := clearTextWarning(tc.exec)
			if (w != "") != tc.warn {
				t.Fatalf("clearTextWarning(%q) = %q, want a warning: %v", tc.exec, w, tc.warn)
			}
			if tc.warn && (!strings.Contains(w, "clear text") || !strings.Contains(w, "tls://")) {
				t.Errorf("warning %q does not say clear text and suggest tls://", w)
			}
		})
	}
}
