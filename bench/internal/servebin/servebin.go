// Package servebin starts a `livespec serve` binary on a free loopback
// port for the load tools (bench/apiload, bench/serveload), so that the
// server they load is wired exactly as users run it.
package servebin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Main runs a load tool's run with the process's arguments and standard
// output, and exits 1 with the error, prefixed by name, when it fails.
func Main(name string, run func(ctx context.Context, args []string, stdout io.Writer) error) {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Server is a running `livespec serve`.
type Server struct {
	Base  string        // http://127.0.0.1:PORT
	Ready time.Duration // from the start until /readyz said 200
	cmd   *exec.Cmd
	done  chan error
	// exited is closed once the process has exited and been waited for.
	exited chan struct{}
}

// Start runs bin serve --addr 127.0.0.1:PORT with args after it, without a
// model, tokens or Slack, its log in a temporary file, and waits (at most
// five minutes) until it is ready.
func Start(ctx context.Context, bin string, args ...string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "LIVESPEC_OLLAMA_URL=none", "LIVESPEC_API_TOKENS=", "SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN=")
	logf, err := os.CreateTemp("", "livespec-serve-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &Server{cmd: cmd, Base: "http://" + addr, done: make(chan error, 1), exited: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		close(s.exited)
		s.done <- err
		logf.Close()
	}()
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(s.Base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("the server exited before it was ready (%v); log in %s", err, logf.Name())
		default:
		}
		if time.Now().After(deadline) {
			s.Kill()
			return nil, fmt.Errorf("the server was not ready within 5 minutes; log in %s", logf.Name())
		}
	}
	s.Ready = time.Since(start)
	return s, nil
}

// Stop sends SIGTERM and waits (at most a minute) for the server to exit;
// it returns how long the shutdown took.
func (s *Server) Stop() (time.Duration, error) {
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-s.done:
		return time.Since(start), err
	case <-time.After(time.Minute):
		s.Kill()
		return time.Since(start), errors.New("the server did not stop within a minute of SIGTERM")
	}
}

// CPU returns the user and system CPU time the server used from its start
// to its exit (answers, ingests, start and shutdown alike); zero until
// Stop has returned.
func (s *Server) CPU() (user, sys time.Duration) {
	select {
	case <-s.exited:
		return s.cmd.ProcessState.UserTime(), s.cmd.ProcessState.SystemTime()
	default:
		return 0, 0
	}
}

// MaxRSS returns the server's peak resident memory in bytes (zero until
// Stop has returned, or where the system does not report it).
func (s *Server) MaxRSS() int64 {
	select {
	case <-s.exited:
		if ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return ru.Maxrss * 1024 // Linux reports KiB
		}
	default:
	}
	return 0
}

// Faults returns the server's minor and major page faults from its start
// to its exit (zero until Stop has returned, or where the system does not
// report them): each first touch of a page of its heap or of the mapped
// index costs the kernel a fault, the bulk of a fresh server's system
// time.
func (s *Server) Faults() (minor, major int64) {
	select {
	case <-s.exited:
		if ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return ru.Minflt, ru.Majflt
		}
	default:
	}
	return 0, 0
}

// Kill ends the server at once.
func (s *Server) Kill() { _ = s.cmd.Process.Kill() }
