package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
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
	srv := &http.Server{
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
	err := srv.Shutdown(graceCtx)
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
