// Package governance is estate's change governance: it assesses a change
// against the graph (blast radius from analysis.Impact, size, test
// coverage, the owning team's track record and the quality of the CMDB
// data involved) under a versioned YAML policy, records every assessment
// as an immutable Change, records incidents, approvals and rejections, and
// computes delivery metrics and team accreditation from that history.
//
// It sits beside graph/analysis and, like it, depends only on the Store
// contract, so every backend gives the same decisions.
package governance

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/estate-cmdb/estate/graph"
)

// Policy is how changes are classified. It is configuration: YAML, strict
// (an unknown field is an error), validated, and versioned; every decision
// records the Version it used. docs/change-governance.md describes each
// field; DefaultPolicy is the policy estate ships with.
type Policy struct {
	// Version names this policy; decisions record it.
	Version string `yaml:"version"`
	// DefaultEnvironment is the environment of a change that names none.
	DefaultEnvironment string `yaml:"defaultEnvironment"`
	// HighAt is the score (0..100) at or above which a change is HIGH;
	// an environment may override it.
	HighAt  int     `yaml:"highAt"`
	Weights Weights `yaml:"weights"`
	// TrackRecordDays is the window of the owning team's track record and
	// accreditation.
	TrackRecordDays int `yaml:"trackRecordDays"`
	// StaleDays: an item not seen by any source for longer is stale.
	StaleDays     int                    `yaml:"staleDays"`
	Accreditation AccreditationRules     `yaml:"accreditation"`
	Environments  map[string]Environment `yaml:"environments"`
	// StandardChanges is the catalogue of pre-approved change patterns.
	StandardChanges []StandardChange `yaml:"standardChanges"`
}

// Weights are the points each factor adds to the score.
type Weights struct {
	// Tier maps the highest service tier reached (1..4) to points;
	// UnknownTier applies when no service with a tier is reached.
	Tier        map[int]int `yaml:"tier"`
	UnknownTier int         `yaml:"unknownTier"`
	// Per applications touched, downstream services and business units,
	// each capped.
	PerApplication   int `yaml:"perApplication"`
	MaxApplications  int `yaml:"maxApplications"`
	PerService       int `yaml:"perService"`
	MaxServices      int `yaml:"maxServices"`
	PerBusinessUnit  int `yaml:"perBusinessUnit"`
	MaxBusinessUnits int `yaml:"maxBusinessUnits"`
	// Lines: the points of the largest threshold the change's lines reach.
	Lines []LinesWeight `yaml:"lines"`
	// LowCoverage applies when the pipeline gives a coverage below Below.
	LowCoverage CoverageWeight `yaml:"lowCoverage"`
	// FailureRate is the points at a 100% change failure rate (scaled).
	FailureRate int `yaml:"failureRate"`
	// PerIncident is per incident the team's changes caused in the window.
	PerIncident  int `yaml:"perIncident"`
	MaxIncidents int `yaml:"maxIncidents"`
	// Accreditation maps gold/silver/bronze to points (negative lowers).
	Accreditation map[Level]int `yaml:"accreditation"`
	// PerDataIssue is per unowned, unmapped or stale item involved.
	PerDataIssue  int `yaml:"perDataIssue"`
	MaxDataIssues int `yaml:"maxDataIssues"`
}

// LinesWeight adds Points when more than Over lines changed.
type LinesWeight struct {
	Over   int `yaml:"over"`
	Points int `yaml:"points"`
}

// CoverageWeight adds Points when coverage is below Below percent.
type CoverageWeight struct {
	Below  int `yaml:"below"`
	Points int `yaml:"points"`
}

// AccreditationRules are the least a team's track record must show for
// gold and for silver; anything less is bronze.
type AccreditationRules struct {
	Gold   LevelRule `yaml:"gold"`
	Silver LevelRule `yaml:"silver"`
}

// LevelRule is what one accreditation level needs over the window.
type LevelRule struct {
	MinDeployments int     `yaml:"minDeployments"`
	MaxFailureRate float64 `yaml:"maxFailureRate"`
	// MaxIncidents caused by the team's changes.
	MaxIncidents int `yaml:"maxIncidents"`
}

// Environment is the rule for one deployment environment.
type Environment struct {
	// HighAt overrides Policy.HighAt when positive.
	HighAt int `yaml:"highAt"`
	// MinimumClass raises every change to at least this class.
	MinimumClass Class `yaml:"minimumClass"`
	// NoStandardChanges turns the standard-change catalogue off here.
	NoStandardChanges bool `yaml:"noStandardChanges"`
}

// StandardChange is a pre-approved pattern: a change matching every one of
// its conditions (and with no data-quality problem) is STANDARD.
type StandardChange struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Paths: every changed path must match one of these globs
	// (doublestar syntax: docs/**, **/*.md). A change naming no paths
	// never matches.
	Paths []string `yaml:"paths"`
	// Tiers: the highest tier reached must be one of these.
	Tiers []int `yaml:"tiers"`
	// MinAccreditation the owning team needs (bronze, silver, gold).
	MinAccreditation Level `yaml:"minAccreditation"`
	// Environments it applies to (empty: all).
	Environments []string `yaml:"environments"`
	// MaxLines, when positive, caps the lines changed.
	MaxLines int `yaml:"maxLines"`
}

//go:embed default-policy.yaml
var defaultPolicy []byte

// DefaultPolicyYAML returns the policy estate uses when none is configured,
// as YAML (a starting point for an organisation's own).
func DefaultPolicyYAML() []byte { return slices.Clone(defaultPolicy) }

// DefaultPolicy returns the policy estate uses when none is configured.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy(defaultPolicy)
	if err != nil {
		panic(fmt.Sprintf("governance: the embedded default policy is invalid: %v", err))
	}
	return p
}

// LoadPolicy reads and validates a policy file.
func LoadPolicy(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy parses and validates a policy. Unknown fields, a second
// document and invalid values are CodeInvalid errors naming the field.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Policy
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, graph.Errorf(graph.CodeInvalid, "the policy is empty")
		}
		return nil, graph.Errorf(graph.CodeInvalid, "policy: %v", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, graph.Errorf(graph.CodeInvalid, "policy: want one YAML document, found more")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the policy; the error names the first bad field.
func (p *Policy) Validate() error {
	bad := func(field, format string, args ...any) error {
		return graph.Errorf(graph.CodeInvalid, "policy field %s: %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(p.Version) == "":
		return bad("version", "required (decisions record it)")
	case p.HighAt < 1 || p.HighAt > 100:
		return bad("highAt", "%d is outside 1..100", p.HighAt)
	case p.TrackRecordDays < 1:
		return bad("trackRecordDays", "must be positive")
	case p.StaleDays < 1:
		return bad("staleDays", "must be positive")
	case len(p.Environments) == 0:
		return bad("environments", "name at least one environment")
	}
	if _, ok := p.Environments[p.DefaultEnvironment]; !ok {
		return bad("defaultEnvironment", "%q is not one of environments (%s)", p.DefaultEnvironment, strings.Join(p.environmentNames(), ", "))
	}
	w := p.Weights
	for t := range w.Tier {
		if t < 1 || t > 4 {
			return bad("weights.tier", "tier %d is outside 1..4", t)
		}
	}
	for name, v := range map[string]int{
		"weights.maxApplications": w.MaxApplications, "weights.maxServices": w.MaxServices,
		"weights.maxBusinessUnits": w.MaxBusinessUnits, "weights.maxIncidents": w.MaxIncidents,
		"weights.maxDataIssues": w.MaxDataIssues, "weights.lowCoverage.below": w.LowCoverage.Below,
	} {
		if v < 0 {
			return bad(name, "must not be negative")
		}
	}
	if w.LowCoverage.Below > 100 {
		return bad("weights.lowCoverage.below", "%d is over 100 percent", w.LowCoverage.Below)
	}
	for i, l := range w.Lines {
		if l.Over < 0 {
			return bad(fmt.Sprintf("weights.lines[%d].over", i), "must not be negative")
		}
	}
	for l := range w.Accreditation {
		if !l.Valid() {
			return bad("weights.accreditation", "unknown level %q (want bronze, silver or gold)", l)
		}
	}
	for _, r := range []struct {
		name string
		rule LevelRule
	}{{"accreditation.gold", p.Accreditation.Gold}, {"accreditation.silver", p.Accreditation.Silver}} {
		if r.rule.MaxFailureRate < 0 || r.rule.MaxFailureRate > 1 {
			return bad(r.name+".maxFailureRate", "%v is outside 0..1", r.rule.MaxFailureRate)
		}
		if r.rule.MinDeployments < 0 || r.rule.MaxIncidents < 0 {
			return bad(r.name, "counts must not be negative")
		}
	}
	for _, name := range p.environmentNames() {
		e := p.Environments[name]
		field := "environments." + name
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "/@") {
			return bad("environments", "%q is not a usable environment name (no /, @ or blanks)", name)
		}
		if e.HighAt < 0 || e.HighAt > 100 {
			return bad(field+".highAt", "%d is outside 0..100", e.HighAt)
		}
		if e.MinimumClass != "" && !e.MinimumClass.Valid() {
			return bad(field+".minimumClass", "unknown class %q (want STANDARD, NORMAL or HIGH)", e.MinimumClass)
		}
	}
	seen := map[string]bool{}
	for i, sc := range p.StandardChanges {
		field := fmt.Sprintf("standardChanges[%d]", i)
		if strings.TrimSpace(sc.Name) == "" {
			return bad(field+".name", "required")
		}
		if seen[sc.Name] {
			return bad(field+".name", "%q is used twice", sc.Name)
		}
		seen[sc.Name] = true
		if len(sc.Paths) == 0 {
			return bad(field+".paths", "name at least one path pattern")
		}
		for _, g := range sc.Paths {
			if !doublestar.ValidatePattern(g) {
				return bad(field+".paths", "%q is not a valid glob", g)
			}
		}
		for _, t := range sc.Tiers {
			if t < 1 || t > 4 {
				return bad(field+".tiers", "tier %d is outside 1..4", t)
			}
		}
		if sc.MinAccreditation != "" && !sc.MinAccreditation.Valid() {
			return bad(field+".minAccreditation", "unknown level %q (want bronze, silver or gold)", sc.MinAccreditation)
		}
		for _, e := range sc.Environments {
			if _, ok := p.Environments[e]; !ok {
				return bad(field+".environments", "%q is not one of environments", e)
			}
		}
		if sc.MaxLines < 0 {
			return bad(field+".maxLines", "must not be negative")
		}
	}
	return nil
}

func (p *Policy) environmentNames() []string {
	names := make([]string, 0, len(p.Environments))
	for n := range p.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// matches reports whether every changed path matches one of the globs.
func (sc *StandardChange) matchesPaths(paths []string) bool {
	if len(paths) == 0 {
		return false
	}
	for _, c := range paths {
		c = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(c), "./"), "/")
		if !slices.ContainsFunc(sc.Paths, func(g string) bool {
			ok, _ := doublestar.Match(g, c)
			return ok
		}) {
			return false
		}
	}
	return true
}
