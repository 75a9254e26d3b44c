package harness

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Result is one harness run: the machine, the estate, and per store the
// figures with their peers, the gaps and the answer checks.
type Result struct {
	Machine Machine   `json:"machine"`
	Tier    string    `json:"tier"`
	Seed    int64     `json:"seed"`
	Skew    float64   `json:"skew"`
	Runs    int       `json:"runs"`
	Date    time.Time `json:"date"`
	Took    string    `json:"took"`
	// PeakRSS is the most memory this process held resident during the
	// run (Linux's VmHWM): generator, floors and stores, not Neo4j's.
	PeakRSS string `json:"peakRSS,omitempty"`
	// Generated counts the estate the generator emits: base and after one
	// churn step.
	Generated Generated     `json:"generated"`
	Stores    []StoreResult `json:"stores"`
}

// Generated counts the generated estate.
type Generated struct {
	Nodes      int `json:"nodes"`
	Edges      int `json:"edges"`
	ChurnNodes int `json:"churnNodes"`
	ChurnEdges int `json:"churnEdges"`
}

// Machine is where the run happened. Load averages are read before and
// after: the machines are shared.
type Machine struct {
	CPU         string            `json:"cpu"`
	Cores       int               `json:"cores"`
	MemoryTotal string            `json:"memoryTotal,omitempty"`
	Go          string            `json:"go"`
	OS          string            `json:"os"`
	LoadBefore  string            `json:"loadBefore,omitempty"`
	LoadAfter   string            `json:"loadAfter,omitempty"`
	Neo4j       string            `json:"neo4j,omitempty"`
	Neo4jMemory map[string]string `json:"neo4jMemory,omitempty"`
}

// StoreResult is what was measured on one store.
type StoreResult struct {
	Store       string   `json:"store"`
	Metrics     []Metric `json:"metrics"`
	NotMeasured []Gap    `json:"notMeasured,omitempty"`
	Checks      []Check  `json:"checks"`
}

// Metric is one number over the runs: its median, min and max.
type Metric struct {
	Figure string `json:"figure"`
	What   string `json:"what"`
	// By is "estate" for what estate does, otherwise the peer's name.
	By     string    `json:"by"`
	Unit   string    `json:"unit"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
}

// Gap is a figure, or a part of one, that was not measured, and why.
type Gap struct {
	Figure string `json:"figure"`
	What   string `json:"what"`
	Why    string `json:"why"`
}

// Check compares an answer with what the generator or a peer says it must
// be.
type Check struct {
	Name string `json:"name"`
	Want int    `json:"want"`
	Got  int    `json:"got"`
}

// OK reports whether the answer was right.
func (c Check) OK() bool { return c.Want == c.Got }

// Failed returns the checks that failed, on every store.
func (r *Result) Failed() []string {
	var out []string
	for _, s := range r.Stores {
		for _, c := range s.Checks {
			if !c.OK() {
				out = append(out, fmt.Sprintf("%s: %s: got %d, want %d", s.Store, c.Name, c.Got, c.Want))
			}
		}
	}
	return out
}

// WriteMarkdown writes the result as Markdown: the machine, then per store
// one table of every metric beside its peers, the gaps and a check summary.
func (r *Result) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	m := r.Machine
	fmt.Fprintf(b, "Tier %s, seed %d, skew %.1f, %d run(s), %s (took %s, peak RSS %s).  \n",
		r.Tier, r.Seed, r.Skew, r.Runs, r.Date.Format(time.RFC3339), r.Took, orDash(r.PeakRSS))
	fmt.Fprintf(b, "Machine: %s, %d cores, %s memory, %s, %s; load average before %s, after %s.  \n",
		m.CPU, m.Cores, orDash(m.MemoryTotal), m.Go, m.OS, orDash(m.LoadBefore), orDash(m.LoadAfter))
	if m.Neo4j != "" {
		var mem []string
		for k, v := range m.Neo4jMemory {
			mem = append(mem, k+"="+v)
		}
		slices.Sort(mem)
		fmt.Fprintf(b, "Neo4j: %s; %s.  \n", m.Neo4j, orDash(strings.Join(mem, ", ")))
	}
	fmt.Fprintf(b, "Generated: %d nodes, %d relationships; after one churn step %d and %d.\n",
		r.Generated.Nodes, r.Generated.Edges, r.Generated.ChurnNodes, r.Generated.ChurnEdges)
	for _, s := range r.Stores {
		fmt.Fprintf(b, "\n#### %s\n\n", s.Store)
		fmt.Fprintln(b, "| figure | what | by | median (min–max) |")
		fmt.Fprintln(b, "|---|---|---|---|")
		type row struct{ figure, what, by string }
		var rows []row
		cells := map[row][]string{}
		for _, x := range s.Metrics {
			k := row{x.Figure, x.What, x.By}
			if _, ok := cells[k]; !ok {
				rows = append(rows, k)
			}
			c := num(x.Median) + " " + x.Unit
			if x.Min != x.Max {
				c += " (" + num(x.Min) + "–" + num(x.Max) + ")"
			}
			cells[k] = append(cells[k], c)
		}
		for _, k := range rows {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", k.figure, k.what, k.by, strings.Join(cells[k], "; "))
		}
		for _, g := range s.NotMeasured {
			fmt.Fprintf(b, "| %s | %s | — | not measured |\n", g.Figure, g.What)
		}
		if len(s.NotMeasured) > 0 {
			fmt.Fprintln(b)
			for _, g := range s.NotMeasured {
				fmt.Fprintf(b, "- %s %s not measured: %s\n", g.Figure, g.What, g.Why)
			}
		}
		ok := 0
		var bad []string
		for _, c := range s.Checks {
			if c.OK() {
				ok++
			} else {
				bad = append(bad, fmt.Sprintf("%s (got %d, want %d)", c.Name, c.Got, c.Want))
			}
		}
		fmt.Fprintf(b, "\nAnswer checks: %d of %d agree with the generator and the peers.\n", ok, len(s.Checks))
		for _, x := range bad {
			fmt.Fprintf(b, "- FAILED: %s\n", x)
		}
	}
	return b.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// num prints a number with about three significant digits.
func num(v float64) string {
	switch a := max(v, -v); {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// machine describes this machine, reading /proc where it exists.
func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPU: "unknown", LoadBefore: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(l, "MemTotal: %d kB", &kb); err == nil {
				m.MemoryTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
	}
	return m
}

// peakRSS is the most memory the process has held resident, or "".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return ""
}

// loadAverage is the 1, 5 and 15 minute load average, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// recorder gathers one store's values over the runs, in first-seen order.
type recorder struct {
	order  []metricKey
	values map[metricKey][]float64
	gaps   []Gap
	checks []Check
}

type metricKey struct{ figure, what, by, unit string }

func newRecorder() *recorder { return &recorder{values: map[metricKey][]float64{}} }

func (r *recorder) add(figure, what, by, unit string, v float64) {
	k := metricKey{figure, what, by, unit}
	if _, ok := r.values[k]; !ok {
		r.order = append(r.order, k)
	}
	r.values[k] = append(r.values[k], v)
}

func (r *recorder) gap(figure, what, why string) {
	g := Gap{figure, what, why}
	if !slices.Contains(r.gaps, g) {
		r.gaps = append(r.gaps, g)
	}
}

func (r *recorder) check(name string, want, got int) {
	r.checks = append(r.checks, Check{Name: name, Want: want, Got: got})
}

func (r *recorder) result(store string) StoreResult {
	out := StoreResult{Store: store, NotMeasured: r.gaps, Checks: r.checks}
	for _, k := range r.order {
		vs := slices.Clone(r.values[k])
		slices.Sort(vs)
		out.Metrics = append(out.Metrics, Metric{Figure: k.figure, What: k.what, By: k.by, Unit: k.unit,
			Median: median(vs), Min: vs[0], Max: vs[len(vs)-1], Values: r.values[k]})
	}
	slices.SortStableFunc(out.Metrics, func(a, b Metric) int { return strings.Compare(a.Figure, b.Figure) })
	return out
}

// median of sorted values (the mean of the middle two for an even count).
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Latencies are per-operation durations, for percentiles.
type Latencies []time.Duration

// Time runs fn and appends how long it took.
func (l *Latencies) Time(fn func()) {
	t := time.Now()
	fn()
	*l = append(*l, time.Since(t))
}

// Percentiles returns p50, p99 and max in microseconds (nearest rank).
func (l Latencies) Percentiles() (p50, p99, mx float64) {
	if len(l) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	at := func(p float64) float64 {
		return float64(s[rank(p, len(s))].Nanoseconds()) / 1e3
	}
	return at(0.50), at(0.99), float64(s[len(s)-1].Nanoseconds()) / 1e3
}

// Sample returns which operation (its number, in the order timed) is at
// percentile p, as Percentiles ranks them; -1 when there are none. A
// percentile that misses its target is then told by what that operation
// did.
func (l Latencies) Sample(p float64) int {
	if len(l) == 0 {
		return -1
	}
	ops := make([]int, len(l))
	for i := range ops {
		ops[i] = i
	}
	slices.SortStableFunc(ops, func(a, b int) int { return cmp.Compare(l[a], l[b]) })
	return ops[rank(p, len(ops))]
}

// Medians returns each start's median latency (the slower middle one of an
// even count), when operation i ran start i%starts, as loop and interleave
// run them. A start is about as slow on each of its passes, so the p99 of
// these is what sets a series' p99, without the few samples that a noisy
// two-core machine spoils: what tells two builds apart.
func (l Latencies) Medians(starts int) Latencies {
	out := make(Latencies, 0, starts)
	for k := range min(starts, len(l)) {
		var own Latencies
		for i := k; i < len(l); i += starts {
			own = append(own, l[i])
		}
		slices.Sort(own)
		out = append(out, own[len(own)/2])
	}
	return out
}

// rank is the place of percentile p among n sorted samples (nearest rank).
func rank(p float64, n int) int { return min(n-1, int(p*float64(n))) }
