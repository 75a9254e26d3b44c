package synthetic

import (
	"fmt"
	"strconv"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// epoch anchors every generated time, so output never depends on the clock.
var epoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

const mailDomain = "acme.example"

// --- keys ----------------------------------------------------------------

func (g *gen) key(k kind, i int) string {
	switch k {
	case kBU:
		return g.buKey(i)
	case kTeam:
		return combo(i, domains, teamWords)
	case kPerson:
		return g.personKey(i)
	case kAccount:
		return "aws:" + strconv.FormatUint(g.accountID(i), 10)
	case kService:
		return g.svcKey(i)
	case kApp:
		return g.appKey(i)
	case kRepo:
		o, n := g.repoName(i)
		return "github.com/" + o + "/" + n
	case kResource:
		return g.resKey(i)
	}
	panic("unknown kind")
}

func (g *gen) buKey(b int) string {
	if b == 0 {
		return "group"
	}
	return combo(b-1, buPrefixes, buSuffixes)
}

func (g *gen) svcKey(s int) string {
	if s < g.nPlatform {
		return platformServices[s]
	}
	return combo(s-g.nPlatform, domains, serviceWords)
}

func (g *gen) appKey(a int) string {
	s := g.svcOf(a)
	if a >= g.n[kApp] {
		// Added by churn: numbered, so never equal to a base key (those end
		// in a word).
		return g.svcKey(s) + "-" + appSuffixes[a%len(appSuffixes)] + "-" + strconv.Itoa(a)
	}
	pos := a - int(g.svcStart[s])
	if a < g.nLib {
		return g.svcKey(s) + "-" + libSuffixes[pos]
	}
	return g.svcKey(s) + "-" + appSuffixes[pos]
}

// personName returns first and last name and a disambiguating number ("" for
// the first person of that name) for the j-th distinct person.
func personName(j int) (first, last, num string) {
	m := len(firstNames) * len(lastNames)
	blk, q := j/m, j%m
	q = q * comboStride % m
	first, last = firstNames[q%len(firstNames)], lastNames[q/len(firstNames)]
	if blk > 0 {
		num = strconv.Itoa(blk + 1)
	}
	return first, last, num
}

// personIdent returns the distinct-person number of person p and whether p is
// the second spelling of someone.
func (g *gen) personIdent(p int) (j int, dup bool) {
	if o := g.dupOf(p); o >= 0 {
		return o, true
	}
	if p >= g.n[kPerson] {
		return p - g.nDup, false
	}
	return p, false
}

func (g *gen) personKey(p int) string {
	j, dup := g.personIdent(p)
	f, l, n := personName(j)
	if dup {
		return f + l + n + "@" + mailDomain // the second spelling: no dot
	}
	return f + "." + l + n + "@" + mailDomain
}

func personHandle(j int) string {
	f, l, n := personName(j)
	return f + "-" + l + n
}

func (g *gen) repoName(rp int) (org, name string) {
	if rp < g.nMono {
		return orgs[0], "monorepo-" + combo(rp, domains, serviceWords)
	}
	if a := g.repoApp(rp); a >= 0 {
		return orgs[0], g.appKey(a)
	}
	if g.isInfraRepo(rp) {
		return "acme-platform", "infra-" + combo(rp-g.nMono-g.n[kApp], domains, serviceWords)
	}
	q := rp - g.nMono - g.n[kApp] - g.nInfra
	return orgs[q%len(orgs)], miscPrefixes[q%len(miscPrefixes)] + "-" + combo(q/len(miscPrefixes), domains, serviceWords)
}

func (g *gen) hexID(x int, salt uint64) string {
	return fmt.Sprintf("0%016x", mix64(uint64(x)^mix64(g.seed^salt)))
}

// resName is the resource's own name or id, the last part of its ARN.
func (g *gen) resName(x int) string {
	b36 := strconv.FormatInt(int64(x), 36)
	d := domains[mix64(uint64(x)^g.seed)%uint64(len(domains))]
	switch g.resType(x) {
	case tVPC:
		return "vpc-" + g.hexID(x, 1)
	case tSubnet:
		return "subnet-" + g.hexID(x, 2)
	case tEKS:
		return "eks-" + d + "-" + b36
	case tInstance:
		return "i-" + g.hexID(x, 3)
	case tLambda:
		return d + "-handler-" + b36
	case tECS:
		return d + "-svc-" + b36
	case tS3:
		return "acme-" + d + "-data-" + b36
	case tRDS:
		return d + "-db-" + b36
	case tDynamo:
		return d + "-table-" + b36
	case tSQS:
		return d + "-queue-" + b36
	case tSNS:
		return d + "-events-" + b36
	case tSG:
		return "sg-" + g.hexID(x, 4)
	case tIAM:
		return d + "-role-" + b36
	default:
		return d + "-alb-" + b36
	}
}

func (g *gen) resRegion(x int) string {
	c := g.resAccount(x)
	r := g.rng(pNode, kResource, x, 2)
	if r.chance(0.85) {
		return g.accountRegion(c)
	}
	return pickS(&r, regions)
}

func (g *gen) resKey(x int) string {
	acct := strconv.FormatUint(g.accountID(g.resAccount(x)), 10)
	region := g.resRegion(x)
	name := g.resName(x)
	switch g.resType(x) {
	case tVPC:
		return "arn:aws:ec2:" + region + ":" + acct + ":vpc/" + name
	case tSubnet:
		return "arn:aws:ec2:" + region + ":" + acct + ":subnet/" + name
	case tEKS:
		return "arn:aws:eks:" + region + ":" + acct + ":cluster/" + name
	case tInstance:
		return "arn:aws:ec2:" + region + ":" + acct + ":instance/" + name
	case tLambda:
		return "arn:aws:lambda:" + region + ":" + acct + ":function:" + name
	case tECS:
		return "arn:aws:ecs:" + region + ":" + acct + ":service/main/" + name
	case tS3:
		return "arn:aws:s3:::" + name
	case tRDS:
		return "arn:aws:rds:" + region + ":" + acct + ":db:" + name
	case tDynamo:
		return "arn:aws:dynamodb:" + region + ":" + acct + ":table/" + name
	case tSQS:
		return "arn:aws:sqs:" + region + ":" + acct + ":" + name
	case tSNS:
		return "arn:aws:sns:" + region + ":" + acct + ":" + name
	case tSG:
		return "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + name
	case tIAM:
		return "arn:aws:iam::" + acct + ":role/" + name
	default:
		return "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":loadbalancer/app/" + name + "/" + g.hexID(x, 5)[1:]
	}
}

// --- nodes ---------------------------------------------------------------

// mutable returns a stream for the properties churn changes, per version, so
// a changed node differs in a predictable property.
func (g *gen) mutable(k kind, i int) (rng, int) {
	v := g.version(k, i)
	return g.rng(pMutable, k, i, 0), v
}

func (g *gen) node(k kind, i int) graph.NodeInput {
	switch k {
	case kBU:
		return g.buNode(i)
	case kTeam:
		return g.teamNode(i)
	case kPerson:
		return g.personNode(i)
	case kAccount:
		return g.accountNode(i)
	case kService:
		return g.svcNode(i)
	case kApp:
		return g.appNode(i)
	case kRepo:
		return g.repoNode(i)
	default:
		return g.resNode(i)
	}
}

func (g *gen) buNode(b int) graph.NodeInput {
	key := g.buKey(b)
	m, v := g.mutable(kBU, b)
	desc := buDescriptions[(m.intn(len(buDescriptions))+v)%len(buDescriptions)]
	return graph.NodeInput{
		Kind: graph.KindBusinessUnit, Key: key, Name: title(key),
		Props: map[string]any{"description": desc + " " + title(key)},
	}
}

func (g *gen) teamNode(t int) graph.NodeInput {
	key := combo(t, domains, teamWords)
	m, v := g.mutable(kTeam, t)
	ch := channelSuffixes[(m.intn(len(channelSuffixes))+v)%len(channelSuffixes)]
	return graph.NodeInput{
		Kind: graph.KindTeam, Key: key, Name: title(key),
		Props: map[string]any{
			"description": "The " + title(key) + " team",
			"contact":     "#team-" + key + ch,
			"email":       key + "@" + mailDomain,
		},
		Aliases: []string{"@acme/" + key},
	}
}

func (g *gen) personNode(p int) graph.NodeInput {
	j, _ := g.personIdent(p)
	f, l, _ := personName(j)
	key := g.personKey(p)
	handle := personHandle(j)
	// The title belongs to the human: both spellings draw it alike.
	m := g.rng(pMutable, kPerson, j, 0)
	v := g.version(kPerson, p)
	return graph.NodeInput{
		Kind: graph.KindPerson, Key: key, Name: title(f) + " " + title(l),
		Props: map[string]any{
			"email":   key,
			"handles": []string{handle},
			"title":   titles[(m.intn(len(titles))+v)%len(titles)],
		},
		Aliases: []string{handle},
	}
}

func (g *gen) accountNode(c int) graph.NodeInput {
	r := g.rng(pNode, kAccount, c, 0)
	env := envs[r.intn(len(envs))]
	name := "acme-" + domains[r.intn(len(domains))] + "-" + env
	if c == 0 {
		env, name = "prod", "acme-network"
	}
	m, v := g.mutable(kAccount, c)
	return graph.NodeInput{
		Kind: graph.KindCloudAccount, Key: g.key(kAccount, c), Name: name,
		Props: map[string]any{
			"provider":    "aws",
			"registered":  g.registered(c),
			"environment": env,
		},
		Labels: map[string]string{"cost-center": "cc-" + strconv.Itoa(1000+m.intn(900)+v)},
	}
}

func (g *gen) svcNode(s int) graph.NodeInput {
	key := g.svcKey(s)
	r := g.rng(pNode, kService, s, 0)
	tier := 1 + r.intn(4)
	if s < g.nPlatform {
		tier = 1
	}
	crit := [...]string{"", "high", "high", "medium", "low"}[tier]
	m, v := g.mutable(kService, s)
	lc := 0
	if !m.chance(0.9) {
		lc = 1 + m.intn(2)
	}
	return graph.NodeInput{
		Kind: graph.KindService, Key: key, Name: title(key),
		Props: map[string]any{
			"description": "The " + title(key) + " service",
			"tier":        tier,
			"criticality": crit,
			"lifecycle":   lifecycles[(lc+v)%len(lifecycles)],
		},
	}
}

func (g *gen) appNode(a int) graph.NodeInput {
	key := g.appKey(a)
	r := g.rng(pNode, kApp, a, 0)
	typ := "service"
	switch x := r.float(); {
	case a < g.nLib:
		typ = "library"
	case x < 0.2:
		typ = "website"
	case x < 0.3:
		typ = "worker"
	}
	props := map[string]any{"type": typ, "description": title(key)}
	if typ == "service" || typ == "website" {
		props["hostnames"] = []string{key + ".apps." + mailDomain}
		props["urls"] = []string{"https://" + key + ".apps." + mailDomain}
	}
	m, v := g.mutable(kApp, a)
	lc := 0
	if !m.chance(0.85) {
		lc = 1 + m.intn(2)
	}
	props["lifecycle"] = lifecycles[(lc+v)%len(lifecycles)]
	return graph.NodeInput{Kind: graph.KindApplication, Key: key, Name: key, Props: props}
}

func (g *gen) repoNode(rp int) graph.NodeInput {
	org, name := g.repoName(rp)
	r := g.rng(pNode, kRepo, rp, 0)
	vis := "internal"
	switch x := r.float(); {
	case x < 0.6:
		vis = "private"
	case x < 0.65 || org == "acme-oss":
		vis = "public"
	}
	lang := languages[g.pl(&r, len(languages))]
	if g.isInfraRepo(rp) {
		lang = "HCL"
	}
	topics := []string{pickS(&r, topicWords)}
	if r.chance(0.5) {
		if t := pickS(&r, topicWords); t != topics[0] {
			topics = append(topics, t)
		}
	}
	branch := "main"
	if r.chance(0.15) {
		branch = "master"
	}
	age := r.intn(900)
	m, v := g.mutable(kRepo, rp)
	pushed := epoch.Add(-time.Duration(age+m.intn(30))*24*time.Hour + time.Duration(v)*7*24*time.Hour)
	q := rp - g.nMono - g.n[kApp] - g.nInfra
	return graph.NodeInput{
		Kind: graph.KindRepository, Key: "github.com/" + org + "/" + name, Name: name,
		Props: map[string]any{
			"host":          "github.com",
			"url":           "https://github.com/" + org + "/" + name,
			"description":   title(name),
			"defaultBranch": branch,
			"visibility":    vis,
			"archived":      r.chance(0.05),
			"fork":          q >= 0 && q%len(miscPrefixes) == 4 && r.chance(0.5), // some proofs of concept are forks
			"language":      lang,
			"topics":        topics,
			"pushedAt":      pushed.Format(time.RFC3339),
		},
	}
}

func (g *gen) resNode(x int) graph.NodeInput {
	typ := g.resType(x)
	c := g.resAccount(x)
	r := g.rng(pNode, kResource, x, 0)
	created := epoch.Add(-time.Duration(r.intn(3*365*24)) * time.Hour)
	props := map[string]any{
		"provider":  "aws",
		"type":      resTypeNames[typ],
		"region":    g.resRegion(x),
		"account":   strconv.FormatUint(g.accountID(c), 10),
		"createdAt": created.Format(time.RFC3339),
	}
	if typ == tIAM {
		props["region"] = "global"
	}
	if typ == tInstance || typ == tELB {
		props["hostnames"] = []string{"ip-10-" + strconv.Itoa(r.intn(256)) + "-" + strconv.Itoa(r.intn(256)) + "-" + strconv.Itoa(1+r.intn(254)) + ".ec2.internal"}
	}
	labels := map[string]string{"env": envs[r.intn(len(envs))]}
	if c == 0 {
		labels["env"] = "prod"
	}
	if t := g.resOwnerTeam(x); t >= 0 {
		labels["team"] = combo(t, domains, teamWords)
	}
	switch typ {
	case tInstance, tLambda, tECS, tRDS, tSG, tELB, tEKS, tSubnet:
		// Shared network: a few VPCs and subnets carry most resources.
		if typ != tSubnet {
			labels["subnet"] = g.resName(g.pickSubnet(&r))
		}
		labels["vpc"] = g.resName(g.pickVPC(&r))
	}
	m, v := g.mutable(kResource, x)
	labels["version"] = "1." + strconv.Itoa(m.intn(20)) + "." + strconv.Itoa(m.intn(7)+v)
	return graph.NodeInput{
		Kind: graph.KindCloudResource, Key: g.resKey(x), Name: g.resName(x),
		Props: props, Labels: labels,
	}
}
