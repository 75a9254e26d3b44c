package synthetic

import (
	"strconv"
	"strings"
)

// Word lists for realistic-ish names. Every word is lower case and free of
// hyphens and digits, so "word-word" and "word-word-N" decode uniquely and the
// key functions below are injective. words_test.go checks the lists.

// domains are business capabilities: the first half of service, team and
// repository names.
var domains = strings.Fields(`
payments checkout orders inventory catalog pricing billing invoicing ledger accounts
customers identity onboarding kyc fraud risk lending loans mortgages cards
rewards loyalty notifications messaging search recommendations shipping fulfilment returns warehouse
supply procurement vendors reporting analytics insights forecasting marketing campaigns content
media documents claims policies quotes underwriting treasury trading settlement clearing
compliance audit statements transfers savings deposits wallet subscriptions profiles preferences
sessions scheduling bookings reservations travel tickets support feedback surveys chat
voice geo maps routing telemetry devices sensors energy tariffs metering
payroll benefits recruiting learning expenses assets contracts partners affiliates ads
collections disputes refunds tax fx brokerage portfolio pensions insurance merchants
`)

// serviceWords complete a service name: payments-engine, orders-hub.
var serviceWords = strings.Fields(`
engine hub core gateway portal manager platform tracker store registry
processor router sync bridge console exchange orchestrator indexer resolver validator
aggregator dispatcher desk center connect vault studio lens pipeline works
`)

// platformServices are the shared platform services almost everything
// depends on; they take the first (hottest) service indices. They are single
// words, so they never collide with a "word-word" name.
var platformServices = strings.Fields(`
auth logging metrics tracing gateway secrets flags eventbus config mesh
`)

// appSuffixes name a service's deployable components by position.
var appSuffixes = strings.Fields(`api worker web consumer batch admin scheduler sync`)

// libSuffixes name the shared libraries (the hottest applications).
var libSuffixes = strings.Fields(`sdk client lib common middleware agent starter kit`)

// teamWords complete a team slug: payments-core, orders-squad.
var teamWords = strings.Fields(`
core platform web mobile data infra sre squad guild ops experience backend frontend
integrations growth reliability enablement foundations
`)

// buPrefixes × buSuffixes name business units below the root "group".
var buPrefixes = strings.Fields(`retail corporate wealth digital consumer commercial global private investment business`)
var buSuffixes = strings.Fields(`banking lending payments insurance markets operations technology services`)

var firstNames = strings.Fields(`
james mary john patricia robert jennifer michael linda william elizabeth
david barbara richard susan joseph jessica thomas sarah charles karen
christopher nancy daniel lisa matthew betty anthony margaret mark sandra
donald ashley steven kimberly paul emily andrew donna joshua michelle
kenneth dorothy kevin carol brian amanda george melissa timothy deborah
ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia
jacob kathleen gary amy nicholas angela eric shirley jonathan anna
stephen brenda larry pamela justin emma scott nicole brandon helen
benjamin samantha samuel katherine gregory christine alexander debra frank rachel
patrick carolyn raymond janet jack catherine dennis maria jerry heather
aisha priya wei yuki omar fatima lars ingrid mateo sofia
`)

var lastNames = strings.Fields(`
smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin
lee perez thompson white harris sanchez clark ramirez lewis robinson
walker young allen king wright scott torres nguyen hill flores
green adams nelson baker hall rivera campbell mitchell carter roberts
gomez phillips evans turner diaz parker cruz edwards collins reyes
stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper
peterson bailey reed kelly howard ramos kim cox ward richardson
watson brooks chavez wood james bennett gray mendoza ruiz hughes
price alvarez castillo sanders patel myers long ross foster jimenez
okafor tanaka muller rossi kowalski novak silva larsen dubois haddad
`)

var titles = strings.Fields(`engineer senior-engineer staff-engineer principal-engineer engineering-manager product-manager architect sre analyst director`)

var orgs = []string{"acme", "acme-labs", "acme-data", "acme-oss"}

// miscPrefixes name repositories that build no application.
var miscPrefixes = strings.Fields(`lib tools docs sandbox poc scripts charts dotfiles`)

var languages = []string{"Go", "Java", "TypeScript", "Python", "Kotlin", "JavaScript", "C#", "Rust", "Scala", "Ruby"}

var topicWords = strings.Fields(`backend frontend api microservice terraform kubernetes library internal pci gdpr`)

var lifecycles = []string{"production", "experimental", "deprecated"}

var envs = []string{"prod", "staging", "dev", "sandbox"}

var regions = []string{"eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-1"}

var buDescriptions = []string{
	"Line of business", "Business unit", "Division", "Reorganised business unit", "Merged division",
}

var channelSuffixes = []string{"", "-help", "-oncall", "-dev"}

// comboStride scrambles the order of word pairs so consecutive indices do not
// share a first word. It is prime and larger than any list product below, so
// it is coprime to each of them and q → q·stride mod m is a bijection.
const comboStride = 7919

// combo names index j with a pair from a × b, then a numbered pair once
// every pair is used: it is injective over j ≥ 0.
func combo(j int, a, b []string) string {
	m := len(a) * len(b)
	blk, q := j/m, j%m
	q = q * comboStride % m
	s := a[q%len(a)] + "-" + b[q/len(a)]
	if blk > 0 {
		s += "-" + strconv.Itoa(blk+1)
	}
	return s
}

// title turns "retail-banking" into "Retail Banking".
func title(slug string) string {
	b := []byte(slug)
	up := true
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = ' '
			up = true
		case up && c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
			up = false
		default:
			up = false
		}
	}
	return string(b)
}
