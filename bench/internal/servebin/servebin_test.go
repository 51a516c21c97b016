package servebin

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play `livespec serve` when asked to: it
// spends 400 ms of CPU, holds 64 MiB, answers /readyz and exits on SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv("SERVEBIN_FAKE_SERVE") == "" {
		os.Exit(m.Run())
	}
	addr := ""
	for i, a := range os.Args {
		if a == "--addr" && i+1 < len(os.Args) {
			addr = os.Args[i+1]
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		os.Exit(2)
	}
	burn(400 * time.Millisecond)
	held = make([]byte, 64<<20)
	for i := range held {
		held[i] = byte(i)
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	<-term
	os.Exit(0)
}

// held is the fake server's resident memory.
var held []byte

// burn spends at least d of the process's CPU time.
func burn(d time.Duration) {
	for {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		if time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) >= d {
			return
		}
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
	}
}

func TestUsageIsTheServersFromStartToExit(t *testing.T) {
	t.Setenv("SERVEBIN_FAKE_SERVE", "1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	if user, sys := s.CPU(); user+sys != 0 || s.MaxRSS() != 0 {
		t.Fatalf("CPU while running = %v + %v, peak memory %d, want 0 until Stop", user, sys, s.MaxRSS())
	}
	if _, err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	user, sys := s.CPU()
	if user+sys < 400*time.Millisecond {
		t.Errorf("CPU after Stop = %v user + %v sys, want at least the 400ms the fake server spent", user, sys)
	}
	if rss := s.MaxRSS(); rss < 64<<20 {
		t.Errorf("peak memory after Stop = %d bytes, want at least the 64 MiB the fake server held", rss)
	}
	if minor, _ := s.Faults(); minor < 64<<20/4096/2 {
		t.Errorf("page faults after Stop = %d, want at least half the pages of the 64 MiB the fake server touched", minor)
	}
}
