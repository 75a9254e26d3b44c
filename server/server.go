// Package server is estate's HTTP server: the GraphQL API (/graphql), health
// (/healthz, /readyz), Prometheus metrics (/metrics) and the web UI (/, with
// its GraphQL playground at /playground), with authentication, request
// limits, structured request logs and graceful shutdown.
//
// The handler is built explicitly (handler.New) so every limit is visible
// here: body size, query depth, complexity, page size and time.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/resolver"
	"github.com/estate-cmdb/estate/server/loaders"
	"github.com/estate-cmdb/estate/server/sso"
)

// Defaults for Config's zero values.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultRequestTimeout  = 10 * time.Second
	DefaultMaxBodyBytes    = 1 << 20
	DefaultMaxDepth        = 12
	DefaultMaxComplexity   = 2_000_000
	DefaultMaxPageSize     = 100
	DefaultQueryCacheSize  = 1000
	DefaultShutdownTimeout = 15 * time.Second
)

// Config configures a Server. Zero values take the defaults above.
type Config struct {
	// Addr is the address ListenAndServe listens on.
	Addr string
	// AnonymousRead lets requests without a token read (as a viewer).
	// Without it, every GraphQL request needs a token. The CLI enables it
	// when the server is bound to loopback (see IsLoopback) or on request.
	AnonymousRead bool
	// RequestTimeout bounds each GraphQL request (a context deadline);
	// running over is LIMIT_EXCEEDED.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds a request body; larger is HTTP 413.
	MaxBodyBytes int64
	// MaxDepth bounds how deeply fields nest (introspection excepted).
	MaxDepth int
	// MaxComplexity bounds a query's cost: one per object field (scalars
	// are free), and a connection's children count `first` times, so
	// nesting multiplies. With the schema's defaults (50 per listing, 20
	// per relationship field) a listing with three nested relationship
	// levels costs about 1.4 million.
	MaxComplexity int
	// MaxPageSize bounds `first` on every connection and list.
	MaxPageSize int
	// QueryCacheSize is how many parsed queries are kept.
	QueryCacheSize int
	// LoaderWait bounds how long a dataloader waits for the next key
	// before one store call (default loaders.DefaultWait); it dispatches
	// sooner, once every sibling resolver has asked.
	LoaderWait time.Duration
	// ShutdownTimeout bounds the graceful shutdown: in-flight requests get
	// this long to finish.
	ShutdownTimeout time.Duration
	// Version is reported by /healthz.
	Version string
	// ChangePolicy is the change-governance policy (default:
	// governance.DefaultPolicy).
	ChangePolicy *governance.Policy
	// Ingest starts the configured ingest sources for startIngest and
	// lists them for ingestSources; nil when none are configured. Its
	// runs are its owner's to stop and wait for (sources.Runner).
	Ingest resolver.Ingester
	// Notify tells of the runs' new shadow findings and of changes that
	// wait for a decision; nil when nobody hears of them.
	Notify Notifier
	// SSO signs people in through an OpenID Connect provider; nil when
	// only API tokens are used.
	SSO *sso.SSO
}

// Notifier tells people what waits for them: what the API shows of it
// (its targets, a test message) and each change an assessment leaves
// waiting for a decision (notify.Notifier).
type Notifier interface {
	resolver.Notifier
	ChangePending(ctx context.Context, c *governance.Change)
}

func (c Config) withDefaults() (Config, error) {
	if c.RequestTimeout < 0 || c.MaxBodyBytes < 0 || c.MaxDepth < 0 || c.MaxComplexity < 0 ||
		c.MaxPageSize < 0 || c.QueryCacheSize < 0 || c.LoaderWait < 0 || c.ShutdownTimeout < 0 {
		return c, errors.New("server config: limits must not be negative")
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxComplexity == 0 {
		c.MaxComplexity = DefaultMaxComplexity
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = DefaultMaxPageSize
	}
	if c.MaxPageSize > graph.MaxPageSize {
		return c, fmt.Errorf("server config: page size limit %d is over the store's %d", c.MaxPageSize, graph.MaxPageSize)
	}
	if c.QueryCacheSize == 0 {
		c.QueryCacheSize = DefaultQueryCacheSize
	}
	if c.LoaderWait == 0 {
		c.LoaderWait = loaders.DefaultWait
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	return c, nil
}

// IsLoopback reports whether addr (host:port) listens only on the loopback
// interface, where anonymous reads are safe to allow by default.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && sso.IsLoopbackHost(host)
}

// Server serves estate over HTTP.
type Server struct {
	cfg     Config
	log     zerolog.Logger
	store   graph.Store // instrumented
	tokens  *auth.Store
	metrics *metrics
	handler http.Handler
	// governor serves change governance to GraphQL and the webhooks.
	governor *governance.Governor
	// csrf refuses cross-site requests made with a session cookie.
	csrf *http.CrossOriginProtection
}

// New builds a server over store. tokens may be nil: then no token is
// valid, and only anonymous reads (if allowed) work. The server does not
// close the store.
func New(cfg Config, store graph.Store, tokens *auth.Store, log zerolog.Logger) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("server: no store")
	}
	m := newMetrics()
	s := &Server{
		cfg:     cfg,
		log:     log.With().Str("component", "server").Logger(),
		store:   instrument(store, m.storeDuration),
		tokens:  tokens,
		metrics: m,
		csrf:    http.NewCrossOriginProtection(),
	}
	if cfg.SSO != nil {
		if err := s.csrf.AddTrustedOrigin(cfg.SSO.PublicURL()); err != nil {
			return nil, fmt.Errorf("server config: public URL: %w", err)
		}
		m.reg.MustRegister(cfg.SSO.Collector())
	}
	s.governor = governance.New(s.store, cfg.ChangePolicy)
	if cfg.Notify != nil {
		s.governor.Pending = cfg.Notify.ChangePending
	}
	m.reg.MustRegister(pendingChanges(store, s.log), shadowFindings(store, s.log))
	if cfg.Ingest != nil {
		m.reg.MustRegister(lastSuccess(store, cfg.Ingest, s.log))
	}
	s.handler = s.routes(s.graphQL())
	return s, nil
}

// graphQL builds the GraphQL handler with every limit on.
func (s *Server) graphQL() http.Handler {
	es := resolver.NewExecutableSchema(&resolver.Resolver{
		Store:       s.store,
		Ingest:      s.cfg.Ingest,
		Notify:      s.cfg.Notify,
		Tokens:      s.tokens,
		MaxPageSize: s.cfg.MaxPageSize,
		Governor:    s.governor,
	})
	srv := handler.New(pagedComplexity{es})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](s.cfg.QueryCacheSize))
	srv.SetErrorPresenter(s.presentError)
	srv.SetRecoverFunc(s.recoverPanic)
	srv.Use(extension.Introspection{})
	srv.Use(limits{maxDepth: s.cfg.MaxDepth, maxPage: s.cfg.MaxPageSize})
	// Scalars cost nothing: the cost counts objects, which is what
	// connections multiply and what a response's size follows.
	srv.Use(extension.FixedComplexityLimit(s.cfg.MaxComplexity, complexity.WithFixedScalarValue(0)))
	srv.Use(gqlMetrics{s.metrics})

	var h http.Handler = srv
	h = loaders.Middleware(s.store, s.cfg.LoaderWait, h)
	h = s.withTimeout(h)
	h = s.limitBody(h)
	h = s.authenticate(h)
	return h
}

func (s *Server) routes(gqlHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, route string, h http.Handler) {
		mux.Handle(pattern, s.metrics.instrumentHTTP(route, h))
	}
	for _, method := range []string{"GET", "POST", "OPTIONS"} {
		handle(method+" /graphql", "/graphql", gqlHandler)
	}
	handle("GET /healthz", "/healthz", http.HandlerFunc(s.healthz))
	handle("GET /readyz", "/readyz", http.HandlerFunc(s.readyz))
	handle("GET /metrics", "/metrics", s.metrics.handler())
	handle("GET /auth/config", "/auth/config", http.HandlerFunc(s.authConfig))
	// The sign-out acts with a browser's session: only pages of this
	// server may ask for it.
	handle("POST "+sso.LogoutPath, sso.LogoutPath, s.csrf.Handler(http.HandlerFunc(s.logout)))
	if s.cfg.SSO != nil {
		handle("GET "+sso.LoginPath, sso.LoginPath, http.HandlerFunc(s.cfg.SSO.Login))
		handle("GET "+sso.CallbackPath, sso.CallbackPath, http.HandlerFunc(s.cfg.SSO.Callback))
	}
	s.hooks(handle)
	handle("GET /", "/", webUI())

	var h http.Handler = mux
	h = hlog.AccessHandler(func(r *http.Request, status, size int, d time.Duration) {
		// Never the query string or headers: they may carry secrets.
		hlog.FromRequest(r).Info().
			Str("method", r.Method).
			Str("path", r.URL.Path).
			Int("status", status).
			Int("size", size).
			Dur("duration", d).
			Msg("request")
	})(h)
	h = hlog.RemoteAddrHandler("remote")(h)
	h = hlog.RequestIDHandler("request_id", "X-Request-Id")(h)
	h = hlog.NewHandler(s.log)(h)
	return h
}

// Handler returns the server's HTTP handler (every route, middleware
// included), for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry returns the server's Prometheus registry (what /metrics serves).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// ListenAndServe listens on the configured address and serves until ctx
// is cancelled, then shuts down gracefully. It returns nil after a clean
// shutdown.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting connections and waits up to ShutdownTimeout for
// in-flight requests. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout + 10*time.Second,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          newStdLogger(s.log),
	}
	s.log.Info().Str("addr", ln.Addr().String()).Bool("anonymous_read", s.cfg.AnonymousRead).Msg("serving")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info().Msg("stopped")
	return nil
}
