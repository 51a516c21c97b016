package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/livespec/livespec"
)

// Shutdown timing of ListenAndServe and Serve: in-flight requests get
// shutdownGrace to finish on their own; then the contexts of those still
// running (long answer streams) are cancelled and they get shutdownFinal
// more to write their last event.
const (
	shutdownGrace = 15 * time.Second
	shutdownFinal = 5 * time.Second
)

// silentGrace is how long a connection that has sent no request yet
// (one a client opened and kept in its pool) may still send one once
// shutdown has begun; then it is closed like an idle one, where net/http
// alone would wait 5 seconds for it.
var silentGrace = 100 * time.Millisecond

// ListenAndServe serves h on addr until ctx ends (SIGTERM, via
// signal.NotifyContext), then shuts down gracefully: it stops accepting,
// lets in-flight requests finish, cancels the ones still streaming after
// a grace period, and returns. Call Server.Shutdown afterwards to let
// running ingest jobs finish their batch.
func ListenAndServe(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return livespec.WrapError(livespec.EUNAVAILABLE, err, "cannot listen on %s", addr)
	}
	return Serve(ctx, ln, h, logger)
}

// Serve is ListenAndServe on an open listener, which it closes.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	silent := &silentConns{conns: map[net.Conn]struct{}{}}
	srv := &http.Server{
		ConnState:         silent.track,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second, // bodies are small; streams only write
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		// No WriteTimeout: it would cut answer streams. Routes carry their
		// own deadlines and streams a per-event write deadline.
		BaseContext: func(net.Listener) context.Context { return base },
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("api: listening", "addr", ln.Addr().String(), "web", "http://"+ln.Addr().String()+"/")

	select {
	case err := <-errc:
		return livespec.WrapError(livespec.EUNAVAILABLE, err, "api: server stopped")
	case <-ctx.Done():
	}
	logger.Info("api: shutting down: finishing in-flight requests")
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancelGrace()
	stopHurry := silent.hurry(silentGrace)
	err := srv.Shutdown(graceCtx)
	stopHurry()
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("api: requests still running after the grace period; cancelling them")
		cancelBase()
		finalCtx, cancelFinal := context.WithTimeout(context.Background(), shutdownFinal)
		defer cancelFinal()
		if err = srv.Shutdown(finalCtx); err != nil {
			_ = srv.Close()
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return livespec.WrapError(livespec.EUNAVAILABLE, err, "api: server stopped")
	}
	logger.Info("api: stopped")
	return nil
}

// jobShutdownTimeout bounds how long Run waits for ingest jobs to finish
// their batch after the HTTP server stopped.
const jobShutdownTimeout = 30 * time.Second

// Run serves the API on addr until ctx ends, which is all `livespec serve`
// needs: it refuses to serve without tokens on a non-loopback address
// (CheckBind, unless Config.AllowUnauthenticated), says at start how
// requests are authenticated, polls the repositories every poll (0: never),
// and on shutdown lets in-flight requests finish and running ingest jobs
// complete their batch.
func (s *Server) Run(ctx context.Context, addr string, poll time.Duration) error {
	if err := CheckBind(addr, s.cfg.Tokens, s.cfg.AllowUnauthenticated || s.cfg.Callers != nil); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return livespec.WrapError(livespec.EUNAVAILABLE, err, "cannot listen on %s", addr)
	}
	switch {
	case s.cfg.Callers != nil:
		s.log.Info("api: bearer tokens of the access file required", "addr", ln.Addr().String())
	case len(s.auth.hashes) > 0:
		s.log.Info("api: bearer tokens required", "tokens", len(s.auth.hashes), "addr", ln.Addr().String())
	case isLoopback(hostOf(ln.Addr().String())):
		s.log.Warn("api: no API tokens: unauthenticated, on loopback only", "addr", ln.Addr().String())
	default:
		s.log.Warn("api: no API tokens and not on loopback: anyone who can reach this address can use the API", "addr", ln.Addr().String())
	}
	pollDone := make(chan struct{})
	pctx, stopPoll := context.WithCancel(ctx)
	go func() {
		defer close(pollDone)
		if poll > 0 && s.cfg.Ingester != nil && len(s.cfg.Repos) > 0 {
			s.log.Info("api: polling repositories", "every", poll.String(), "repos", len(s.cfg.Repos))
			_ = s.Poll(pctx, poll)
		}
	}()
	err = Serve(ctx, ln, s.Handler(), s.log)
	stopPoll()
	<-pollDone
	jctx, cancel := context.WithTimeout(context.Background(), jobShutdownTimeout)
	defer cancel()
	if jerr := s.Shutdown(jctx); jerr != nil && err == nil {
		err = jerr
	}
	return err
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// silentConns tracks the connections that have sent no request yet
// (net/http's StateNew). net/http's Shutdown counts such a connection as
// busy for 5 seconds, so a client's spare pooled connection would hold
// the shutdown that long; hurry ends them promptly instead.
type silentConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the http.Server's ConnState hook.
func (s *silentConns) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
}

// hurry gives every silent connection grace from now to send its request
// header (a read deadline, which ends the connection when it passes), and
// sets the deadline again once grace has passed, for a connection whose
// first read had just set its own. stop ends the wait and returns once no
// goroutine of hurry runs.
func (s *silentConns) hurry(grace time.Duration) (stop func()) {
	s.deadline(time.Now().Add(grace))
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			s.deadline(time.Now())
		case <-quit:
		}
	}()
	return func() { close(quit); <-done }
}

func (s *silentConns) deadline(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.SetReadDeadline(t)
	}
}
