package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// estate is the demo turned into what a source emits.
type estate struct {
	nodes []graph.NodeInput
	edges []graph.EdgeInput
}

// builder assembles the estate from the tables. A table naming something
// that does not exist, or asserting one relationship twice, is a bug in the
// tables and fails the build; a cloud tag naming something that does not
// exist is data, and links nothing.
type builder struct {
	estate
	known map[graph.Ref]bool
	edge  map[graph.ID]bool
	// linked records application → resource pairs already related, so a tag
	// does not add a second relationship where a descriptor declared one.
	linked map[[2]graph.Ref]bool
	// teamByTag and appByTag resolve tag values, ignoring case.
	teamByTag, appByTag map[string]string
	// home is where each application's descriptor lives: "acme/<repo>/" or
	// "acme/<monorepo>/<path>/".
	home map[string]string
	errs []error
}

func build() (*estate, error) {
	b := &builder{
		known: map[graph.Ref]bool{}, edge: map[graph.ID]bool{}, linked: map[[2]graph.Ref]bool{},
		teamByTag: map[string]string{}, appByTag: map[string]string{}, home: map[string]string{},
	}
	b.addNodes()
	b.addEdges()
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("demo estate tables are inconsistent: %v", b.errs)
	}
	return &b.estate, nil
}

func (b *builder) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf(format, args...))
}

func (b *builder) node(n graph.NodeInput) {
	r := n.Ref()
	if b.known[r] {
		b.fail("%s listed twice", r)
		return
	}
	b.known[r] = true
	b.nodes = append(b.nodes, n)
}

func (b *builder) link(t graph.RelType, from, to graph.Ref, props map[string]any, c graph.Confidence, evidence string) {
	for _, r := range []graph.Ref{from, to} {
		if !b.known[r] {
			b.fail("%s %s → %s: %s does not exist", t, from, to, r)
			return
		}
	}
	e := graph.EdgeInput{Type: t, From: from, To: to, Props: props, Confidence: c, Evidence: evidence}
	if b.edge[e.ID()] {
		b.fail("%s %s → %s (%v) asserted twice", t, from, to, props)
		return
	}
	b.edge[e.ID()] = true
	if from.Kind == graph.KindApplication && to.Kind == graph.KindCloudResource {
		b.linked[[2]graph.Ref{from, to}] = true
	}
	b.edges = append(b.edges, e)
}

func (b *builder) owns(owner, target graph.Ref, role string, c graph.Confidence, evidence string) {
	b.link(graph.RelOwns, owner, target, map[string]any{"role": role}, c, evidence)
}

func (b *builder) addNodes() {
	for _, u := range businessUnits {
		b.node(graph.NodeInput{
			Kind: graph.KindBusinessUnit, Key: u.key, Name: u.name,
			Props:    map[string]any{"description": u.desc},
			Evidence: "acme/engineering-handbook/org/units.yaml",
		})
	}
	for _, t := range teams {
		b.teamByTag[strings.ToLower(t.slug)] = t.slug
		b.node(graph.NodeInput{
			Kind: graph.KindTeam, Key: t.slug, Name: t.name,
			Props: map[string]any{
				"description": t.desc,
				"contact":     "slack:#" + t.slug,
				"email":       t.slug + "@acme.example",
			},
			Aliases: []string{
				"@" + Org + "/" + t.slug,
				Org + "/" + t.slug,
				"group:" + t.slug,
				"github.com/" + Org + "/team/" + t.slug,
			},
			Evidence: "GitHub API GET /orgs/acme/teams/" + t.slug,
		})
	}
	for _, p := range people {
		b.node(graph.NodeInput{
			Kind: graph.KindPerson, Key: p.email, Name: p.name,
			Props: map[string]any{
				"email":   p.email,
				"handles": []string{"github.com/" + p.login},
				"title":   p.title,
			},
			Aliases:  []string{p.login, "@" + p.login, "user:" + p.login},
			Evidence: "acme/engineering-handbook/org/people.yaml user:" + p.login,
		})
	}
	for _, s := range services {
		b.node(graph.NodeInput{
			Kind: graph.KindService, Key: s.key, Name: s.name,
			Props: map[string]any{
				"description": s.desc, "tier": s.tier, "lifecycle": s.lifecycle,
				"criticality": criticality[s.tier],
			},
			Aliases:  []string{"system:" + s.key},
			Evidence: "acme/engineering-handbook/catalog/systems/" + s.key + ".yaml",
		})
	}
	// Where each application's descriptor lives, for evidence.
	for _, r := range repositories {
		for _, app := range r.builds {
			if r.name == "checkout-monorepo" {
				b.home[app] = "acme/" + r.name + "/" + monorepoPath(app) + "/"
			} else {
				b.home[app] = "acme/" + r.name + "/"
			}
		}
	}
	for _, a := range applications {
		b.appByTag[strings.ToLower(a.key)] = a.key
		props := map[string]any{"description": a.desc, "type": a.typ, "lifecycle": a.lifecycle}
		if len(a.hostnames) > 0 {
			props["hostnames"] = a.hostnames
		}
		if len(a.urls) > 0 {
			props["urls"] = a.urls
		}
		// Hostnames are aliases too, so that a lookup or a search for
		// pay.acme.example lands on the application.
		n := graph.NodeInput{
			Kind: graph.KindApplication, Key: a.key, Name: a.name, Props: props,
			Aliases:  append([]string{"component:" + a.key}, a.hostnames...),
			Evidence: b.home[a.key] + "catalog-info.yaml",
		}
		if appsWithoutDescriptor[a.key] {
			n.Aliases, n.Confidence = a.hostnames, graph.Inferred
			n.Evidence = "GitHub custom property application=" + a.key + " on " + strings.TrimSuffix(b.home[a.key], "/")
		}
		b.node(n)
	}
	for _, r := range repositories {
		props := map[string]any{
			"description":   r.desc,
			"host":          "github.com",
			"url":           "https://github.com/" + Org + "/" + r.name,
			"defaultBranch": r.branch,
			"visibility":    r.visibility,
			"archived":      r.archived,
			"fork":          false,
			"pushedAt":      r.pushedAt,
		}
		if r.language != "" {
			props["language"] = r.language
		}
		if len(r.topics) > 0 {
			props["topics"] = r.topics
		}
		b.node(graph.NodeInput{
			Kind: graph.KindRepository, Key: repoRef(r.name).Key, Name: r.name, Props: props,
			Aliases: []string{
				"https://github.com/" + Org + "/" + r.name,
				"https://github.com/" + Org + "/" + r.name + ".git",
				"git@github.com:" + Org + "/" + r.name + ".git",
				Org + "/" + r.name,
			},
			Evidence: "GitHub API GET /orgs/acme/repos",
		})
	}
	for _, a := range accounts {
		id := strings.TrimPrefix(a.key, "aws:")
		n := graph.NodeInput{
			Kind: graph.KindCloudAccount, Key: a.key, Name: a.name,
			Props: map[string]any{
				"provider": "aws", "registered": a.registered, "environment": a.environment,
			},
			Labels:   parseTags(a.tags),
			Aliases:  []string{id, a.name},
			Evidence: "AWS Organizations ListAccounts",
		}
		if !a.registered {
			n.Confidence = graph.Inferred
			n.Evidence = "AWS invoice for account " + id + " paid with a corporate card (expense report)"
		}
		b.node(n)
	}
	// The labels record which tags name nothing known, as a cloud source's
	// would: by the tags this demo links by (team → Team, app → Application).
	tags := &cloudtags.Linker{Provider: "aws", Resolve: func(_ context.Context, ref string, kind graph.Kind) (string, bool) {
		var key string
		switch kind {
		case graph.KindTeam:
			key = b.teamByTag[strings.ToLower(ref)]
		case graph.KindApplication:
			key = b.appByTag[strings.ToLower(ref)]
		}
		return key, key != ""
	}}
	for _, set := range []struct {
		account string
		rs      []resource
	}{{RegisteredAccount, prodResources}, {ShadowAccount, shadowResources}} {
		for _, r := range set.rs {
			props := map[string]any{
				"provider": "aws", "type": r.typ, "region": r.region,
				"account": strings.TrimPrefix(set.account, "aws:"),
			}
			if len(r.hostnames) > 0 {
				props["hostnames"] = r.hostnames
			}
			// Other resources are named by their id; an instance is also
			// known by its instance id. DNS names are aliases too.
			var aliases []string
			if r.typ == ec2Instance {
				aliases = []string{instanceID(r.arn)}
			}
			aliases = append(aliases, r.hostnames...)
			b.node(graph.NodeInput{
				Kind: graph.KindCloudResource, Key: r.arn, Name: r.name, Props: props,
				Labels: tags.Labels(context.Background(), parseTags(r.tags)), Aliases: aliases,
				Evidence: "AWS Config " + r.typ,
			})
		}
	}
}

func (b *builder) addEdges() {
	// PART_OF
	for _, u := range businessUnits {
		if u.parent != "" {
			b.link(graph.RelPartOf, buRef(u.key), buRef(u.parent), nil, graph.Declared,
				"acme/engineering-handbook/org/units.yaml parent: "+u.parent)
		}
	}
	for _, s := range services {
		if s.bu != "" {
			b.link(graph.RelPartOf, serviceRef(s.key), buRef(s.bu), nil, graph.Declared,
				"acme/engineering-handbook/catalog/systems/"+s.key+".yaml:9 spec.domain: "+s.bu)
		}
	}
	for _, a := range applications {
		if a.service == "" {
			continue
		}
		if appsWithoutDescriptor[a.key] {
			b.link(graph.RelPartOf, appRef(a.key), serviceRef(a.service), nil, graph.Inferred,
				"GitHub custom property service="+a.service+" on "+strings.TrimSuffix(b.home[a.key], "/"))
		} else {
			b.link(graph.RelPartOf, appRef(a.key), serviceRef(a.service), nil, graph.Declared,
				b.home[a.key]+"catalog-info.yaml:13 spec.system: "+a.service)
		}
	}

	// MEMBER_OF
	for _, t := range teams {
		if t.parent != "" {
			b.link(graph.RelMemberOf, teamRef(t.slug), teamRef(t.parent), nil, graph.Declared,
				"GitHub API GET /orgs/acme/teams/"+t.slug+" parent.slug: "+t.parent)
		}
	}
	for _, p := range people {
		for _, t := range p.teams {
			b.link(graph.RelMemberOf, personRef(p.email), teamRef(t), nil, graph.Declared,
				"GitHub API GET /orgs/acme/teams/"+t+"/members: "+p.login)
		}
	}

	// OWNS: services, applications and repositories by what their
	// descriptors and CODEOWNERS say, resources by their team tag, then the
	// owners listed one by one.
	for _, s := range services {
		if s.owner != "" {
			b.owns(teamRef(s.owner), serviceRef(s.key), graph.OwnerTechnical, graph.Declared,
				"acme/engineering-handbook/catalog/systems/"+s.key+".yaml:8 spec.owner: group:"+s.owner)
		}
	}
	for _, a := range applications {
		switch {
		case a.owner == "":
		case appsWithoutDescriptor[a.key]:
			b.owns(teamRef(a.owner), appRef(a.key), graph.OwnerTechnical, graph.Inferred,
				b.home[a.key]+"CODEOWNERS:1 * @acme/"+a.owner)
		default:
			b.owns(teamRef(a.owner), appRef(a.key), graph.OwnerTechnical, graph.Declared,
				b.home[a.key]+"catalog-info.yaml:12 spec.owner: group:"+a.owner)
		}
	}
	for _, r := range repositories {
		switch {
		case r.codeowner == "":
		case strings.HasPrefix(r.codeowner, "@"):
			b.owns(b.personByLogin(strings.TrimPrefix(r.codeowner, "@")), repoRef(r.name), graph.OwnerTechnical, graph.Declared,
				"acme/"+r.name+"/CODEOWNERS:1 * "+r.codeowner)
		default:
			b.owns(teamRef(r.codeowner), repoRef(r.name), graph.OwnerTechnical, graph.Declared,
				"acme/"+r.name+"/CODEOWNERS:1 * @acme/"+r.codeowner)
		}
	}
	for _, o := range monorepoOwners {
		b.owns(teamRef(o.team), repoRef("checkout-monorepo"), graph.OwnerTechnical, graph.Declared,
			fmt.Sprintf("acme/checkout-monorepo/CODEOWNERS:%d %s @acme/%s", o.line, o.pattern, o.team))
	}
	b.eachResource(func(account string, r resource, tags map[string]string) {
		if v, ok := tags["team"]; ok {
			if slug, ok := b.teamByTag[strings.ToLower(v)]; ok {
				b.owns(teamRef(slug), resourceRef(r.arn), graph.OwnerTechnical, graph.Inferred, "aws tag team="+v)
			}
		}
	})
	for _, o := range extraOwners {
		b.owns(o.owner, o.target, o.role, o.confidence, o.evidence)
	}

	// BUILDS
	for _, r := range repositories {
		for _, app := range r.builds {
			var props map[string]any
			if r.name == "checkout-monorepo" {
				props = map[string]any{"path": monorepoPath(app)}
			}
			if appsWithoutDescriptor[app] {
				b.link(graph.RelBuilds, repoRef(r.name), appRef(app), props, graph.Inferred,
					"GitHub custom property application="+app+" on acme/"+r.name)
			} else {
				b.link(graph.RelBuilds, repoRef(r.name), appRef(app), props, graph.Declared,
					b.home[app]+"catalog-info.yaml:4 metadata.name: "+app)
			}
		}
	}
	for _, x := range extraBuilds {
		b.link(graph.RelBuilds, repoRef(x.repo), appRef(x.app), nil, x.confidence, x.evidence)
	}

	// DEPENDS_ON and RUNS_ON: the listed ones first, then what app tags imply.
	for _, d := range dependencies {
		b.link(graph.RelDependsOn, d.from, d.to, nil, d.confidence, d.evidence)
	}
	for _, d := range runsOn {
		b.link(graph.RelRunsOn, d.from, d.to, nil, d.confidence, d.evidence)
	}
	b.eachResource(func(account string, r resource, tags map[string]string) {
		v, ok := tags["app"]
		if !ok {
			return
		}
		app, ok := b.appByTag[strings.ToLower(v)]
		if !ok || b.linked[[2]graph.Ref{appRef(app), resourceRef(r.arn)}] {
			return
		}
		t := graph.RelDependsOn
		if compute[r.typ] {
			t = graph.RelRunsOn
		}
		b.link(t, appRef(app), resourceRef(r.arn), nil, graph.Inferred, "aws tag app="+v)
	})

	// IN_ACCOUNT and DEFINES
	b.eachResource(func(account string, r resource, _ map[string]string) {
		b.link(graph.RelInAccount, resourceRef(r.arn), accountRef(account), nil, graph.Declared,
			"AWS Config: resource in account "+strings.TrimPrefix(account, "aws:"))
	})
	b.eachResource(func(_ string, r resource, _ map[string]string) {
		if r.iac == "" {
			return
		}
		repo, addr, ok := strings.Cut(r.iac, " ")
		state, known := terraformState[repo]
		if !ok || !known {
			b.fail("resource %s: bad iac %q", r.arn, r.iac)
			return
		}
		b.link(graph.RelDefines, repoRef(repo), resourceRef(r.arn), nil, graph.Declared,
			"terraform state "+state+": "+addr)
	})
}

func (b *builder) eachResource(fn func(account string, r resource, tags map[string]string)) {
	for _, r := range prodResources {
		fn(RegisteredAccount, r, parseTags(r.tags))
	}
	for _, r := range shadowResources {
		fn(ShadowAccount, r, parseTags(r.tags))
	}
}

func (b *builder) personByLogin(login string) graph.Ref {
	for _, p := range people {
		if p.login == login {
			return personRef(p.email)
		}
	}
	b.fail("no person with login %q", login)
	return personRef(login)
}

// monorepoPath is the directory of MonorepoKey an application is built from.
func monorepoPath(app string) string {
	for path, a := range MonorepoApps {
		if a == app {
			return path
		}
	}
	return ""
}

// parseTags reads "k=v k=v".
func parseTags(s string) map[string]string {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil
	}
	tags := make(map[string]string, len(fields))
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		tags[k] = v
	}
	return tags
}

// instanceID is the instance id at the end of an EC2 instance ARN.
func instanceID(arn string) string {
	_, id, _ := strings.Cut(arn, ":instance/")
	return id
}
