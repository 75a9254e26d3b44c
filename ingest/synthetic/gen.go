package synthetic

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"

	"github.com/estate-cmdb/estate/graph"
)

// kind indexes the node kinds in the order nodes are emitted.
type kind int

const (
	kBU kind = iota
	kTeam
	kPerson
	kAccount
	kService
	kApp
	kRepo
	kResource
	numKinds
)

var kindOf = [numKinds]graph.Kind{
	kBU: graph.KindBusinessUnit, kTeam: graph.KindTeam, kPerson: graph.KindPerson,
	kAccount: graph.KindCloudAccount, kService: graph.KindService, kApp: graph.KindApplication,
	kRepo: graph.KindRepository, kResource: graph.KindCloudResource,
}

// Random-stream purposes. Every attribute of every item is drawn from its
// own stream, derived from (seed, purpose, kind, index, extra), so any item
// can be regenerated alone — by index arithmetic, without holding the estate —
// and a churn step never shifts the draws of items it does not touch.
const (
	pLayout uint64 = iota + 1
	pNode
	pEdge
	pOwner
	pNoise
	pDelete
	pChange
	pRewire
	pRepick
	pSample
	pMutable
)

// Churn shares per step.
const (
	changeShare  = 0.05
	deleteShare  = 0.01
	addShare     = 0.01
	rewireShare  = 0.02
	maxAppsOfSvc = 8
)

// Shares of noise and structure.
const (
	unownedResourceShare = 0.02
	unownedRepoShare     = 0.01
)

// Edge groups: each draw site that picks relationship targets has one, so
// its stream and its rewiring are independent of every other site.
const (
	gBUParent uint64 = iota + 1
	gBUOwner
	gTeamParent
	gPersonTeam
	gSvcBU
	gSvcOwner
	gAppSvc
	gAppOwner
	gAppDepApp
	gAppDepSvc
	gAppDepRes
	gAppRunsOn
	gAppBuilds
	gRepoOwner
	gAccountOwner
	gResDefines
	gResOwner
)

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// rng is a PCG stream with the few helpers the generator needs. Its helpers
// are fixed here (not delegated to rand.Rand) so output stays byte-identical.
type rng struct{ p rand.PCG }

func (r *rng) float() float64 { return float64(r.p.Uint64()>>11) * 0x1p-53 }

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(n))
	return int(hi)
}

func (r *rng) chance(p float64) bool { return r.float() < p }

func pickS[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

// Resource types, laid out by index arithmetic (see gen.resType).
const (
	tVPC = iota
	tSubnet
	tEKS
	tInstance
	tLambda
	tECS
	tS3
	tRDS
	tDynamo
	tSQS
	tSNS
	tSG
	tIAM
	tELB
)

var resTypeNames = [...]string{
	tVPC: "AWS::EC2::VPC", tSubnet: "AWS::EC2::Subnet", tEKS: "AWS::EKS::Cluster",
	tInstance: "AWS::EC2::Instance", tLambda: "AWS::Lambda::Function", tECS: "AWS::ECS::Service",
	tS3: "AWS::S3::Bucket", tRDS: "AWS::RDS::DBInstance", tDynamo: "AWS::DynamoDB::Table",
	tSQS: "AWS::SQS::Queue", tSNS: "AWS::SNS::Topic", tSG: "AWS::EC2::SecurityGroup",
	tIAM: "AWS::IAM::Role", tELB: "AWS::ElasticLoadBalancingV2::LoadBalancer",
}

// resPattern is the repeating type pattern of ordinary resources.
var resPattern = [resPeriod]int{
	tInstance, tInstance, tInstance, tInstance, tInstance, tInstance, tLambda, tLambda, tECS,
	tS3, tS3, tRDS, tDynamo, tSQS, tSQS, tSNS,
	tSG, tSG, tIAM, tELB,
}

const resPeriod = 20

// Slots of resPattern an application runs on, and data stores it uses.
var computeSlots = []int{0, 1, 2, 3, 4, 5, 6, 7, 8}
var dataSlots = []int{9, 10, 11, 12, 13, 14, 15}

// gen holds the layout of one configured estate: counts and index ranges,
// plus the one small table that cannot be derived arithmetically (how many
// applications each service has). Everything else is a function of an index.
type gen struct {
	cfg   Config
	seed  uint64
	zipf  float64 // power-law exponent from Skew; 0 means uniform
	steps int
	n     [numKinds]int // base counts
	add   [numKinds]int // additions per churn step

	nRootTeams int // teams without a parent
	nDup       int // the last nDup people are second spellings of earlier ones
	nPlatform  int // services that are shared platform services
	nLib       int // applications that are shared libraries
	nMono      int // repositories [0, nMono) are monorepos
	nInfra     int // then one repository per application, then nInfra infrastructure repos
	nVPC       int // resources [0, nVPC) are shared VPCs,
	nNet       int // [nVPC, nNet) shared subnets (all in the network account 0),
	nEKS       int // [nNet, nNet+nEKS) shared Kubernetes clusters,
	o0         int // and [o0, …) ordinary resources following resPattern
	nUnreg     int // the last nUnreg accounts are not registered with central IT
	acctOff    uint64

	svcStart  []int32 // applications of service s are [svcStart[s], svcStart[s+1])
	cycleApps map[int]int
}

func newGen(cfg Config) *gen {
	counts := tierTable[cfg.Tier]
	g := &gen{cfg: cfg, seed: mix64(uint64(cfg.Seed) ^ 0x5eed5eed5eed5eed), steps: cfg.Churn}
	for k := kind(0); k < numKinds; k++ {
		g.n[k] = counts[kindOf[k]]
		g.add[k] = int(math.Round(float64(g.n[k]) * addShare))
	}
	g.zipf = 2 * cfg.Skew
	g.nRootTeams = max(1, g.n[kTeam]/10)
	g.nDup = max(3, g.n[kPerson]/500)
	g.nPlatform = min(len(platformServices), g.n[kService])
	g.nLib = max(5, g.n[kApp]/100)
	g.nMono = max(2, g.n[kApp]/50)
	g.nInfra = max(2, g.n[kRepo]/10)
	X := g.n[kResource]
	g.nVPC = max(2, X/500)
	g.nNet = g.nVPC + max(6, X/125)
	g.nEKS = max(2, X/1000)
	g.o0 = g.nNet + g.nEKS
	g.nUnreg = max(1, g.n[kAccount]/20)
	g.acctOff = mix64(g.seed^0xacc7) % 900_000_000_000

	// Applications per service: one each, the rest spread at random (at most
	// maxAppsOfSvc, the number of distinct suffixes).
	S, A := g.n[kService], g.n[kApp]
	cnt := make([]int32, S)
	r := g.rng(pLayout, kService, 0, 0)
	left := A
	for s := range cnt {
		if left == 0 {
			break
		}
		cnt[s] = 1
		left--
	}
	for left > 0 {
		s := r.intn(S)
		if cnt[s] < maxAppsOfSvc {
			cnt[s]++
			left--
		}
	}
	g.svcStart = make([]int32, S+1)
	for s, c := range cnt {
		g.svcStart[s+1] = g.svcStart[s] + c
	}

	// A few dependency cycles, closed by low-popularity applications.
	nCycles := max(3, A/1000)
	g.cycleApps = make(map[int]int, nCycles)
	r = g.rng(pLayout, kApp, 0, 0)
	for c := 0; len(g.cycleApps) < nCycles && c < 100*nCycles; c++ {
		a := A/2 + r.intn(A-A/2)
		if _, dup := g.cycleApps[a]; !dup {
			g.cycleApps[a] = len(g.cycleApps)
		}
	}
	return g
}

func (g *gen) rng(purpose uint64, k kind, idx int, extra uint64) rng {
	a := mix64(g.seed ^ mix64(purpose<<40^uint64(k)<<32^0x9e3779b97f4a7c15) ^ mix64(extra+0x632be59bd9b4e019))
	b := mix64(a ^ mix64(uint64(idx)+0xd1b54a32d192ed03))
	var r rng
	r.p.Seed(a, b)
	return r
}

// u is one uniform draw in [0, 1) from a fresh stream.
func (g *gen) u(purpose uint64, k kind, idx int, extra uint64) float64 {
	r := g.rng(purpose, k, idx, extra)
	return r.float()
}

// pl picks an index in [0, n) by a power law (a continuous Zipf over ranks
// 1..n): P(rank ≥ r) falls like r^(1-s), with s = 2·skew, so low indices are
// popular — at skew 0.8 the first index gets about a third of the picks, the
// next ones a sixth, a tenth, …. With skew 0 it is uniform.
func (g *gen) pl(r *rng, n int) int {
	if n <= 1 {
		return 0
	}
	if g.zipf == 0 {
		return r.intn(n)
	}
	u, top := r.float(), float64(n+1)
	var y float64
	if e := 1 - g.zipf; math.Abs(e) < 1e-9 {
		y = math.Pow(top, u)
	} else {
		y = math.Pow((math.Pow(top, e)-1)*u+1, 1/e)
	}
	return min(max(int(y)-1, 0), n-1)
}

// total is the number of indices of kind k after the configured churn steps.
func (g *gen) total(k kind) int { return g.n[k] + g.steps*g.add[k] }

// born is the churn step that added item i (0 for the base estate).
func (g *gen) born(k kind, i int) int {
	if i < g.n[k] {
		return 0
	}
	return 1 + (i-g.n[k])/g.add[k]
}

// deletable says whether churn may delete item i. Business units, accounts
// and the hot heads (platform services, shared libraries, shared network and
// clusters, top-level teams) stay: nobody deletes the auth service.
func (g *gen) deletable(k kind, i int) bool {
	switch k {
	case kBU, kAccount:
		return false
	case kTeam:
		return i >= g.nRootTeams
	case kService:
		return i >= max(g.nPlatform, g.n[k]/100)
	case kApp:
		return i >= g.nLib
	case kResource:
		return i >= g.o0
	}
	return true
}

// live reports whether item i exists after the configured churn steps.
func (g *gen) live(k kind, i int) bool {
	if i < 0 || i >= g.total(k) {
		return false
	}
	if g.steps == 0 || !g.deletable(k, i) {
		return true
	}
	for s := g.born(k, i) + 1; s <= g.steps; s++ {
		if g.u(pDelete, k, i, uint64(s)) < deleteShare {
			return false
		}
	}
	return true
}

// version counts the churn steps that changed item i's properties.
func (g *gen) version(k kind, i int) int {
	v := 0
	for s := g.born(k, i) + 1; s <= g.steps; s++ {
		if g.u(pChange, k, i, uint64(s)) < changeShare {
			v++
		}
	}
	return v
}

// repick returns a stream to pick a new target for the ord-th draw of group
// grp of item i when a churn step rewired it.
func (g *gen) repick(grp uint64, k kind, i, ord int) (rng, bool) {
	for s := g.steps; s > g.born(k, i); s-- {
		extra := grp<<40 | uint64(ord)<<8 | uint64(s)
		if g.u(pRewire, k, i, extra) < rewireShare {
			return g.rng(pRepick, k, i, extra), true
		}
	}
	return rng{}, false
}

// target draws a target with pick from the base stream r (always, so later
// draws do not shift) and returns it, or a re-drawn one if churn rewired
// this slot; rewired picks may land on nodes added by churn.
func (g *gen) target(r *rng, grp uint64, k kind, i, ord int, pick func(r *rng, extended bool) int) int {
	t := pick(r, false)
	if g.steps > 0 {
		if rr, ok := g.repick(grp, k, i, ord); ok {
			t = pick(&rr, true)
		}
	}
	return t
}

// span is the range targets of kind k are picked from.
func (g *gen) span(k kind, extended bool) int {
	if extended {
		return g.total(k)
	}
	return g.n[k]
}

// --- structure -----------------------------------------------------------

func (g *gen) svcOf(a int) int {
	if a < g.n[kApp] {
		return sort.Search(g.n[kService], func(s int) bool { return int(g.svcStart[s+1]) > a })
	}
	r := g.rng(pNode, kApp, a, 1)
	return r.intn(g.total(kService))
}

func (g *gen) buParent(b int) int { return (b - 1) / 4 }

func (g *gen) teamParent(t int) int {
	if t < g.n[kTeam] {
		return (t - g.nRootTeams) / 4
	}
	r := g.rng(pNode, kTeam, t, 1)
	return r.intn(g.n[kTeam])
}

// dupOf returns the person that person p is a second spelling of, or -1.
func (g *gen) dupOf(p int) int {
	P := g.n[kPerson]
	first := P - g.nDup
	if p < first || p >= P {
		return -1
	}
	return (p - first) * (first / g.nDup)
}

func (g *gen) ownerTeamOfService(s int) int {
	r := g.rng(pOwner, kService, s, 0)
	return r.intn(g.n[kTeam])
}

func (g *gen) ownerTeamOfApp(a int) int {
	r := g.rng(pOwner, kApp, a, 0)
	if r.chance(0.8) {
		return g.ownerTeamOfService(g.svcOf(a))
	}
	return r.intn(g.n[kTeam])
}

// repoApp returns the application whose own repository r is, or -1.
func (g *gen) repoApp(r int) int {
	if r >= g.nMono && r < g.nMono+g.n[kApp] {
		return r - g.nMono
	}
	return -1
}

func (g *gen) isInfraRepo(r int) bool {
	lo := g.nMono + g.n[kApp]
	return r >= lo && r < lo+g.nInfra
}

func (g *gen) ownerTeamOfRepo(rp int) int {
	if a := g.repoApp(rp); a >= 0 {
		return g.ownerTeamOfApp(a)
	}
	r := g.rng(pOwner, kRepo, rp, 0)
	return r.intn(g.n[kTeam])
}

func (g *gen) repoUnowned(rp int) bool { return g.u(pNoise, kRepo, rp, 0) < unownedRepoShare }

func (g *gen) registered(c int) bool { return c < g.n[kAccount]-g.nUnreg || c >= g.n[kAccount] }

func (g *gen) accountID(c int) uint64 {
	const stride = 7919 * 1000003 // coprime to 9·10¹¹: the map is injective
	return 100_000_000_000 + (uint64(c)*stride+g.acctOff)%900_000_000_000
}

func (g *gen) accountRegion(c int) string {
	r := g.rng(pNode, kAccount, c, 1)
	x := r.float()
	switch {
	case x < 0.45:
		return regions[0]
	case x < 0.75:
		return regions[1]
	}
	return regions[2+r.intn(len(regions)-2)]
}

func (g *gen) resType(x int) int {
	switch {
	case x < g.nVPC:
		return tVPC
	case x < g.nNet:
		return tSubnet
	case x < g.o0:
		return tEKS
	}
	return resPattern[(x-g.o0)%resPeriod]
}

func (g *gen) resAccount(x int) int {
	C := g.n[kAccount]
	switch {
	case C == 1 || x < g.nNet:
		return 0
	case x < g.o0:
		return 1 + (x-g.nNet)%(C-1)
	case x < g.n[kResource]:
		return 1 + (x-g.o0)*(C-1)/(g.n[kResource]-g.o0)
	}
	r := g.rng(pNode, kResource, x, 1)
	return 1 + r.intn(C-1)
}

// resNoise: the resource is owned by nothing and defined by no repository.
func (g *gen) resNoise(x int) bool {
	return x >= g.o0 && g.u(pNoise, kResource, x, 0) < unownedResourceShare
}

// resDefiner returns the repository defining resource x, or -1: infrastructure
// repositories mostly, application repositories otherwise; nothing for noise
// and for click-ops in unregistered accounts.
func (g *gen) resDefiner(x int) int {
	if g.resNoise(x) || !g.registered(g.resAccount(x)) {
		return -1
	}
	r := g.rng(pOwner, kResource, x, 1)
	if !r.chance(0.93) {
		return -1
	}
	if r.chance(0.65) {
		lo := g.nMono + g.n[kApp]
		return lo + (g.resAccount(x)*g.nInfra/g.n[kAccount]+r.intn(2))%g.nInfra
	}
	return g.nMono + r.intn(g.n[kApp])
}

// resOwnerTeam is the team tagged as owner of resource x, or -1 for noise.
func (g *gen) resOwnerTeam(x int) int {
	if g.resNoise(x) {
		return -1
	}
	r := g.rng(pOwner, kResource, x, 2)
	if d := g.resDefiner(x); d >= 0 && r.chance(0.85) {
		return g.ownerTeamOfRepo(d)
	}
	return r.intn(g.n[kTeam])
}

// Picks of resources by role, by index arithmetic over the layout.
func (g *gen) pickVPC(r *rng) int    { return g.pl(r, g.nVPC) }
func (g *gen) pickSubnet(r *rng) int { return g.nVPC + g.pl(r, g.nNet-g.nVPC) }
func (g *gen) pickEKS(r *rng) int    { return g.nNet + g.pl(r, g.nEKS) }

func (g *gen) blocks() int { return (g.n[kResource] - g.o0) / resPeriod }

func (g *gen) pickCompute(r *rng) int {
	return g.o0 + r.intn(g.blocks())*resPeriod + pickS(r, computeSlots)
}

func (g *gen) pickData(r *rng) int {
	return g.o0 + g.pl(r, g.blocks())*resPeriod + pickS(r, dataSlots)
}
