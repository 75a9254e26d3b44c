package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/server/gql/resolver"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (not the global one), so several servers in one process (tests) do not
// collide.
type metrics struct {
	reg           *prometheus.Registry
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	gqlOperations *prometheus.CounterVec
	gqlErrors     *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "estate_http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "estate_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		gqlOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "estate_graphql_operations_total",
			Help: "GraphQL operations by type (query, mutation; unknown when rejected before parsing) and outcome (ok, error).",
		}, []string{"type", "outcome"}),
		gqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "estate_graphql_errors_total",
			Help: "GraphQL errors by extensions.code.",
		}, []string{"code"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "estate_store_call_duration_seconds",
			Help:    "Store call latency by method and outcome (ok or the error code).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "outcome"}),
	}
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.gqlOperations, m.gqlErrors, m.storeDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) instrumentHTTP(route string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"route": route}
	h = promhttp.InstrumentHandlerDuration(m.httpDuration.MustCurryWith(labels), h)
	return promhttp.InstrumentHandlerCounter(m.httpRequests.MustCurryWith(labels), h)
}

// gqlMetrics counts GraphQL operations and errors, and names the
// operation in the request's log event.
type gqlMetrics struct{ m *metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = gqlMetrics{}

func (gqlMetrics) ExtensionName() string                   { return "EstateMetrics" }
func (gqlMetrics) Validate(graphql.ExecutableSchema) error { return nil }

func (g gqlMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil {
		zerolog.Ctx(ctx).UpdateContext(func(c zerolog.Context) zerolog.Context {
			c = c.Str("operation_type", string(oc.Operation.Operation))
			if oc.Operation.Name != "" {
				c = c.Str("operation", oc.Operation.Name)
			}
			return c
		})
	}
	return next(ctx)
}

func (g gqlMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	typ := "unknown"
	if graphql.HasOperationContext(ctx) {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			typ = string(oc.Operation.Operation)
		}
	}
	outcome := "ok"
	if len(resp.Errors) > 0 {
		outcome = "error"
	}
	g.m.gqlOperations.WithLabelValues(typ, outcome).Inc()
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = codeInternal
		}
		g.m.gqlErrors.WithLabelValues(code).Inc()
	}
	return resp
}

// scraped is gauges read from the store each time Prometheus scrapes, so
// that they are right whichever server instance made the change: read
// emits their samples (the gauge, its value, then label values) within
// scrapeTimeout; gauges from one reading share one scraped. On a store
// error read logs and emits nothing more: a scrape without the gauge,
// rather than a wrong value.
type scraped struct {
	descs []*prometheus.Desc
	read  func(ctx context.Context, emit func(d *prometheus.Desc, v float64, labels ...string))
}

// scrapeTimeout bounds one scraped gauge's reads.
const scrapeTimeout = 5 * time.Second

func (g scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range g.descs {
		ch <- d
	}
}

func (g scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	g.read(ctx, func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	})
}

// pendingChanges is the estate_changes_pending gauge: the changes waiting
// for a decision, by class (a count per class, through the labels index),
// so that an alert can say "HIGH changes are waiting".
func pendingChanges(s graph.Store, log zerolog.Logger) scraped {
	d := prometheus.NewDesc("estate_changes_pending",
		"Assessed changes waiting for a decision, by class (NORMAL: the owning team; HIGH: the change advisory board).",
		[]string{"class"}, nil)
	return scraped{descs: []*prometheus.Desc{d},
		read: func(ctx context.Context, emit func(*prometheus.Desc, float64, ...string)) {
			for _, class := range []string{"NORMAL", "HIGH"} {
				page, err := s.List(ctx, graph.ListQuery{Kinds: []graph.Kind{graph.KindChange},
					Labels: map[string]string{"status": "PENDING", "class": class}, First: 1})
				if err != nil {
					log.Warn().Err(err).Msg("metrics: pending changes not counted")
					return
				}
				emit(d, float64(page.TotalCount), class)
			}
		}}
}

// lastSuccess is the estate_ingest_last_success_timestamp_seconds gauge:
// when each configured source's latest successful run ended, read from the
// run log, so that an alert can say "GitHub has not synced for a day"
// whether the schedule, a person or the command line ran it. A source that
// never succeeded has no sample (alert on absent()).
func lastSuccess(s graph.Store, in resolver.Ingester, log zerolog.Logger) scraped {
	d := prometheus.NewDesc("estate_ingest_last_success_timestamp_seconds",
		"When the latest successful run of each configured source ended (Unix time), by its name in the configuration file.",
		[]string{"source"}, nil)
	return scraped{descs: []*prometheus.Desc{d},
		read: func(ctx context.Context, emit func(*prometheus.Desc, float64, ...string)) {
			for _, src := range in.Sources() {
				if src.Source == "" {
					continue // cannot be built: it never runs
				}
				page, err := s.ListRuns(ctx, graph.RunQuery{Source: src.Source, Status: graph.RunSucceeded, First: 1})
				if err != nil {
					log.Warn().Err(err).Str("config_source", src.Name).Msg("metrics: last successful run not read")
					continue
				}
				if len(page.Runs) > 0 {
					emit(d, float64(page.Runs[0].Ended.UnixNano())/1e9, src.Name)
				}
			}
		}}
}

// shadowRunsRead is how many of the latest runs a scrape reads for one that
// counted the shadow estate: a running run has not yet.
const shadowRunsRead = 10

// shadowFindings are two gauges from the run summary (analysis.ShadowReport.Summary)
// of the latest ingest run that counted the shadow estate, so that an alert
// can say "an unregistered cloud account appeared" without the whole-graph
// scan at every scrape: estate_shadow_findings, the open findings by kind,
// and estate_shadow_findings_accepted, the findings accepted as known (the
// exceptions a review keeps an eye on). No run counted yet: no samples.
func shadowFindings(s graph.Store, log zerolog.Logger) scraped {
	open := prometheus.NewDesc("estate_shadow_findings",
		"Open Shadow DevOps findings (not accepted) by kind, as counted after the latest ingest run that counted them.",
		[]string{"kind"}, nil)
	accepted := prometheus.NewDesc("estate_shadow_findings_accepted",
		"Shadow DevOps findings accepted as known (exceptions), as counted after the latest ingest run that counted them.",
		nil, nil)
	return scraped{descs: []*prometheus.Desc{open, accepted},
		read: func(ctx context.Context, emit func(*prometheus.Desc, float64, ...string)) {
			page, err := s.ListRuns(ctx, graph.RunQuery{First: shadowRunsRead})
			if err != nil {
				log.Warn().Err(err).Msg("metrics: shadow findings not read")
				return
			}
			i := slices.IndexFunc(page.Runs, func(r *graph.IngestRun) bool {
				_, ok := r.Summary[analysis.SummaryShadowTotal]
				return ok
			})
			if i < 0 {
				return
			}
			for k, n := range page.Runs[i].Summary {
				switch kind, ok := strings.CutPrefix(k, analysis.SummaryShadowPrefix); {
				case k == analysis.SummaryShadowAccepted:
					emit(accepted, float64(n))
				case ok && k != analysis.SummaryShadowTotal:
					emit(open, float64(n), kind)
				}
			}
		}}
}

// instrumented wraps a store to time every call.
type instrumented struct {
	s graph.Store
	d *prometheus.HistogramVec
}

func instrument(s graph.Store, d *prometheus.HistogramVec) graph.Store {
	return &instrumented{s: s, d: d}
}

func (i *instrumented) observe(method string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = strings.ToLower(string(graph.CodeOf(err)))
	}
	i.d.WithLabelValues(method, outcome).Observe(time.Since(start).Seconds())
}

func (i *instrumented) Apply(ctx context.Context, b graph.Batch) (r graph.ApplyResult, err error) {
	defer func(t time.Time) { i.observe("Apply", t, err) }(time.Now())
	return i.s.Apply(ctx, b)
}

func (i *instrumented) History(ctx context.Context, q graph.HistoryQuery) (r *graph.HistoryPage, err error) {
	defer func(t time.Time) { i.observe("History", t, err) }(time.Now())
	return i.s.History(ctx, q)
}

func (i *instrumented) Nodes(ctx context.Context, ids []graph.ID) (r []*graph.Node, err error) {
	defer func(t time.Time) { i.observe("Nodes", t, err) }(time.Now())
	return i.s.Nodes(ctx, ids)
}

func (i *instrumented) Node(ctx context.Context, ref graph.Ref) (r *graph.Node, err error) {
	defer func(t time.Time) { i.observe("Node", t, err) }(time.Now())
	return i.s.Node(ctx, ref)
}

func (i *instrumented) Resolve(ctx context.Context, ref string, kinds []graph.Kind) (r []*graph.Node, err error) {
	defer func(t time.Time) { i.observe("Resolve", t, err) }(time.Now())
	return i.s.Resolve(ctx, ref, kinds)
}

func (i *instrumented) List(ctx context.Context, q graph.ListQuery) (r *graph.NodePage, err error) {
	defer func(t time.Time) { i.observe("List", t, err) }(time.Now())
	return i.s.List(ctx, q)
}

func (i *instrumented) Search(ctx context.Context, q graph.SearchQuery) (r []*graph.Node, err error) {
	defer func(t time.Time) { i.observe("Search", t, err) }(time.Now())
	return i.s.Search(ctx, q)
}

func (i *instrumented) Edges(ctx context.Context, ids []graph.ID) (r []*graph.Edge, err error) {
	defer func(t time.Time) { i.observe("Edges", t, err) }(time.Now())
	return i.s.Edges(ctx, ids)
}

func (i *instrumented) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (r map[graph.ID][]graph.Neighbor, err error) {
	defer func(t time.Time) { i.observe("Neighbors", t, err) }(time.Now())
	return i.s.Neighbors(ctx, ids, q)
}

func (i *instrumented) Traverse(ctx context.Context, q graph.TraverseQuery) (r *graph.Traversal, err error) {
	defer func(t time.Time) { i.observe("Traverse", t, err) }(time.Now())
	return i.s.Traverse(ctx, q)
}

func (i *instrumented) DeleteNodes(ctx context.Context, ids []graph.ID) (n int, err error) {
	defer func(t time.Time) { i.observe("DeleteNodes", t, err) }(time.Now())
	return i.s.DeleteNodes(ctx, ids)
}

func (i *instrumented) Merge(ctx context.Context, into, from graph.ID) (n *graph.Node, err error) {
	defer func(t time.Time) { i.observe("Merge", t, err) }(time.Now())
	return i.s.Merge(ctx, into, from)
}

func (i *instrumented) Annotate(ctx context.Context, labels map[graph.ID]map[string]string) (err error) {
	defer func(t time.Time) { i.observe("Annotate", t, err) }(time.Now())
	return i.s.Annotate(ctx, labels)
}

func (i *instrumented) DeleteEdges(ctx context.Context, ids []graph.ID) (n int, err error) {
	defer func(t time.Time) { i.observe("DeleteEdges", t, err) }(time.Now())
	return i.s.DeleteEdges(ctx, ids)
}

func (i *instrumented) Sweep(ctx context.Context, r graph.SweepRequest) (res graph.SweepResult, err error) {
	defer func(t time.Time) { i.observe("Sweep", t, err) }(time.Now())
	return i.s.Sweep(ctx, r)
}

func (i *instrumented) ScanNodes(ctx context.Context, fn func(*graph.Node) error) (err error) {
	defer func(t time.Time) { i.observe("ScanNodes", t, err) }(time.Now())
	return i.s.ScanNodes(ctx, fn)
}

func (i *instrumented) ScanEdges(ctx context.Context, fn func(*graph.Edge) error) (err error) {
	defer func(t time.Time) { i.observe("ScanEdges", t, err) }(time.Now())
	return i.s.ScanEdges(ctx, fn)
}

func (i *instrumented) Topology(ctx context.Context) (t *graph.Topology, err error) {
	defer func(t0 time.Time) { i.observe("Topology", t0, err) }(time.Now())
	return i.s.Topology(ctx)
}

func (i *instrumented) Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) (err error) {
	defer func(t time.Time) { i.observe("Restore", t, err) }(time.Now())
	return i.s.Restore(ctx, nodes, edges)
}

func (i *instrumented) PutRun(ctx context.Context, r graph.IngestRun) (err error) {
	defer func(t time.Time) { i.observe("PutRun", t, err) }(time.Now())
	return i.s.PutRun(ctx, r)
}

func (i *instrumented) Runs(ctx context.Context, ids []string) (r []*graph.IngestRun, err error) {
	defer func(t time.Time) { i.observe("Runs", t, err) }(time.Now())
	return i.s.Runs(ctx, ids)
}

func (i *instrumented) ListRuns(ctx context.Context, q graph.RunQuery) (p *graph.RunPage, err error) {
	defer func(t time.Time) { i.observe("ListRuns", t, err) }(time.Now())
	return i.s.ListRuns(ctx, q)
}

func (i *instrumented) Stats(ctx context.Context) (s graph.Stats, err error) {
	defer func(t time.Time) { i.observe("Stats", t, err) }(time.Now())
	return i.s.Stats(ctx)
}

func (i *instrumented) Ping(ctx context.Context) (err error) {
	defer func(t time.Time) { i.observe("Ping", t, err) }(time.Now())
	return i.s.Ping(ctx)
}

// Close does not close the wrapped store: its owner (the CLI) does.
func (i *instrumented) Close() error { return nil }
