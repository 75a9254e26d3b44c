package graphtest

import (
	"fmt"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// The source, run and time of SmallEstate's batch.
const (
	EstateSource = "demo"
	EstateRun    = "demo-1"
)

// EstateAt is when SmallEstate's batch was observed.
var EstateAt = time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)

// Keys of SmallEstate's nodes, for tests that look things up in it.
const (
	EstateBU             = "retail-banking"
	EstatePayments       = "payments"
	EstateAccounts       = "accounts"
	EstatePaymentsAPI    = "payments-api"
	EstatePaymentsWorker = "payments-worker"
	EstateAccountsAPI    = "accounts-api"
	EstateAccountsWeb    = "accounts-web"
	EstateMonorepo       = "github.com/acme/payments"
	EstateAccountsAPIRep = "github.com/acme/accounts-api"
	EstateAccountsWebRep = "github.com/acme/accounts-web"
	EstateInfraRepo      = "github.com/acme/infra-live"
	EstatePlatformTeam   = "github.com/acme/team/platform"
	EstatePaymentsTeam   = "github.com/acme/team/payments-core"
	EstateAccountsTeam   = "github.com/acme/team/accounts"
	EstateAlice          = "alice@acme.example"
	EstateBob            = "bob@acme.example"
	EstateCarol          = "carol@acme.example"
	EstateAccount        = "aws:123456789012"
	EstatePaymentsECS    = "arn:aws:ecs:eu-west-1:123456789012:service/prod/payments-api"
	EstateAccountsECS    = "arn:aws:ecs:eu-west-1:123456789012:service/prod/accounts-api"
	EstatePaymentsDB     = "arn:aws:rds:eu-west-1:123456789012:db:payments"
)

// SmallEstate returns one batch (source EstateSource, run EstateRun, at
// EstateAt) describing a small, realistic estate, the same every time:
//
//   - business unit retail-banking, with services payments (tier 1) and
//     accounts (tier 2) PART_OF it;
//   - applications payments-api and payments-worker (PART_OF payments),
//     accounts-api and accounts-web (PART_OF accounts);
//   - the monorepo github.com/acme/payments BUILDS payments-api
//     (path services/api) and payments-worker (path services/worker);
//     github.com/acme/accounts-api and -web build one app each;
//     github.com/acme/infra-live DEFINES the payments database;
//   - team platform, with team payments-core nested in it (MEMBER_OF) and a
//     separate team accounts; people alice (payments-core), bob (accounts),
//     carol (platform);
//   - OWNS with roles: payments-core owns payments, payments-api,
//     payments-worker and the monorepo (technical); alice owns payments as
//     business owner; carol owns payments-api as security owner; accounts
//     owns accounts, accounts-api and accounts-web; platform owns the cloud
//     account;
//   - cloud account aws:123456789012 holding (IN_ACCOUNT) two ECS services
//     and an RDS database; payments-api and accounts-api RUN_ON their ECS
//     services;
//   - DEPENDS_ON: payments-api → accounts-api → payments-api (a cycle),
//     payments-api and payments-worker → the database, accounts-web →
//     accounts-api and → the payments service.
//
// Nodes and relationships appear once each, so applying it to an empty store
// creates len(Nodes) nodes and len(Edges) relationships.
func SmallEstate() graph.Batch {
	var (
		unit      = bu(EstateBU)
		payments  = svc(EstatePayments)
		accounts  = svc(EstateAccounts)
		payAPI    = app(EstatePaymentsAPI)
		payWorker = app(EstatePaymentsWorker)
		accAPI    = app(EstateAccountsAPI)
		accWeb    = app(EstateAccountsWeb)
		mono      = repo(EstateMonorepo)
		accAPIRep = repo(EstateAccountsAPIRep)
		accWebRep = repo(EstateAccountsWebRep)
		infra     = repo(EstateInfraRepo)
		platform  = team(EstatePlatformTeam)
		payTeam   = team(EstatePaymentsTeam)
		accTeam   = team(EstateAccountsTeam)
		alice     = person(EstateAlice)
		bob       = person(EstateBob)
		carol     = person(EstateCarol)
		account   = acct(EstateAccount)
		payECS    = res(EstatePaymentsECS)
		accECS    = res(EstateAccountsECS)
		payDB     = res(EstatePaymentsDB)
	)
	ecs := func(r graph.Ref, appKey string) graph.NodeInput {
		return graph.NodeInput{
			Kind: r.Kind, Key: r.Key, Name: "prod/" + appKey,
			Props: map[string]any{
				"provider": "aws", "type": "ecs-service", "region": "eu-west-1",
				"account": EstateAccount, "createdAt": "2025-06-01T10:00:00Z",
			},
			Labels:   map[string]string{"app": appKey, "env": "prod"},
			Evidence: "ecs:DescribeServices",
		}
	}
	gh := func(r graph.Ref, lang string, topics ...string) graph.NodeInput {
		n := graph.NodeInput{
			Kind: r.Kind, Key: r.Key,
			Props: map[string]any{
				"host": "github.com", "url": "https://" + r.Key, "defaultBranch": "main",
				"visibility": "private", "archived": false, "fork": false,
				"language": lang, "pushedAt": "2026-01-01T12:00:00Z",
			},
		}
		if len(topics) > 0 {
			n.Props["topics"] = topics
		}
		return n
	}
	b := graph.Batch{Source: EstateSource, Run: EstateRun, At: EstateAt}
	b.Nodes = []graph.NodeInput{
		{Kind: unit.Kind, Key: unit.Key, Name: "Retail Banking",
			Props:  map[string]any{"description": "Current accounts, cards and payments"},
			Labels: map[string]string{"cost-centre": "RB-100"}},
		{Kind: payments.Kind, Key: payments.Key, Name: "Payments",
			Props: map[string]any{"tier": 1, "lifecycle": "production", "criticality": "high"}},
		{Kind: accounts.Kind, Key: accounts.Key, Name: "Accounts",
			Props: map[string]any{"tier": 2, "lifecycle": "production"}},
		{Kind: payAPI.Kind, Key: payAPI.Key, Name: "Payments API", Aliases: []string{"pay-api"},
			Props: map[string]any{
				"type": "service", "lifecycle": "production",
				"hostnames": []string{"pay.acme.example"}, "urls": []string{"https://pay.acme.example"},
			},
			Labels: map[string]string{"env": "prod", "team": "payments-core"}, Evidence: "catalog-info.yaml"},
		{Kind: payWorker.Kind, Key: payWorker.Key,
			Props: map[string]any{"type": "worker", "lifecycle": "production"}, Evidence: "catalog-info.yaml"},
		{Kind: accAPI.Kind, Key: accAPI.Key, Name: "Accounts API",
			Props: map[string]any{"type": "service", "lifecycle": "production"}},
		{Kind: accWeb.Kind, Key: accWeb.Key, Name: "Accounts Web",
			Props: map[string]any{
				"type": "website", "lifecycle": "production",
				"hostnames": []string{"accounts.acme.example"},
			}},
		gh(mono, "Go", "payments", "monorepo"),
		gh(accAPIRep, "Kotlin"),
		gh(accWebRep, "TypeScript", "frontend"),
		gh(infra, "HCL", "terraform"),
		{Kind: platform.Kind, Key: platform.Key, Name: "Platform", Aliases: []string{"@acme/platform"},
			Props: map[string]any{"contact": "#platform"}},
		{Kind: payTeam.Kind, Key: payTeam.Key, Name: "Payments Core",
			Aliases: []string{"@acme/payments-core", "payments-core"},
			Props:   map[string]any{"contact": "#payments-core", "email": "payments-core@acme.example"}},
		{Kind: accTeam.Kind, Key: accTeam.Key, Name: "Accounts", Aliases: []string{"@acme/accounts"}},
		{Kind: alice.Kind, Key: alice.Key, Name: "Alice Liddell", Aliases: []string{"alice"},
			Props: map[string]any{"email": EstateAlice, "handles": []string{"github:alice"}, "title": "Product owner"}},
		{Kind: bob.Kind, Key: bob.Key, Name: "Bob Builder", Aliases: []string{"bob"},
			Props: map[string]any{"email": EstateBob, "handles": []string{"github:bobb"}}},
		{Kind: carol.Kind, Key: carol.Key, Name: "Carol Shaw",
			Props: map[string]any{"email": EstateCarol, "title": "Security engineer"}},
		{Kind: account.Kind, Key: account.Key, Name: "acme-prod",
			Props: map[string]any{"provider": "aws", "registered": true, "environment": "production"}},
		ecs(payECS, EstatePaymentsAPI),
		ecs(accECS, EstateAccountsAPI),
		{Kind: payDB.Kind, Key: payDB.Key, Name: "payments-db",
			Props: map[string]any{
				"provider": "aws", "type": "rds-instance", "region": "eu-west-1", "account": EstateAccount,
			},
			Labels: map[string]string{"env": "prod", "team": "payments-core"}},
	}
	inferred := func(e graph.EdgeInput, evidence string) graph.EdgeInput {
		e.Confidence, e.Evidence = graph.Inferred, evidence
		return e
	}
	declared := func(e graph.EdgeInput, evidence string) graph.EdgeInput {
		e.Evidence = evidence
		return e
	}
	b.Edges = []graph.EdgeInput{
		partOf(payments, unit),
		partOf(accounts, unit),
		declared(partOf(payAPI, payments), "catalog-info.yaml:8"),
		declared(partOf(payWorker, payments), "catalog-info.yaml:8"),
		partOf(accAPI, accounts),
		partOf(accWeb, accounts),
		edge(graph.RelBuilds, mono, payAPI, "path", "services/api"),
		edge(graph.RelBuilds, mono, payWorker, "path", "services/worker"),
		edge(graph.RelBuilds, accAPIRep, accAPI),
		edge(graph.RelBuilds, accWebRep, accWeb),
		declared(owns(payTeam, payments, graph.OwnerTechnical), "catalog-info.yaml:5"),
		declared(owns(payTeam, payAPI, ""), "CODEOWNERS:1"),
		declared(owns(payTeam, payWorker, ""), "CODEOWNERS:2"),
		declared(owns(payTeam, mono, ""), "CODEOWNERS:1"),
		owns(alice, payments, graph.OwnerBusiness),
		owns(carol, payAPI, graph.OwnerSecurity),
		owns(accTeam, accounts, ""),
		owns(accTeam, accAPI, ""),
		inferred(owns(accTeam, accWeb, ""), "tag team=accounts"),
		owns(platform, account, graph.OwnerTechnical),
		edge(graph.RelMemberOf, payTeam, platform),
		edge(graph.RelMemberOf, alice, payTeam),
		edge(graph.RelMemberOf, bob, accTeam),
		edge(graph.RelMemberOf, carol, platform),
		dependsOn(payAPI, accAPI),
		dependsOn(accAPI, payAPI),
		inferred(dependsOn(payAPI, payDB), "env DATABASE_URL"),
		dependsOn(payWorker, payDB),
		dependsOn(accWeb, accAPI),
		dependsOn(accWeb, payments),
		edge(graph.RelRunsOn, payAPI, payECS),
		edge(graph.RelRunsOn, accAPI, accECS),
		edge(graph.RelInAccount, payECS, account),
		edge(graph.RelInAccount, accECS, account),
		edge(graph.RelInAccount, payDB, account),
		edge(graph.RelDefines, infra, payDB),
	}
	return b
}

// SyntheticEstate returns a batch of about n nodes for benchmarks, the same
// for the same arguments: n/10 services (at least one) PART_OF one business
// unit, the rest applications, each application PART_OF a service and
// DEPENDS_ON the next two applications (wrapping round), so relationships
// number about three per node. Keys start with prefix so that several
// batches can go into one store.
func SyntheticEstate(prefix string, n int) graph.Batch {
	services := max(1, n/10)
	apps := max(1, n-services-1)
	b := graph.Batch{Source: "synthetic", Run: prefix + "run", At: EstateAt}
	unit := bu(prefix + "bu")
	b.Nodes = append(b.Nodes, node(unit))
	svcRef := func(i int) graph.Ref { return svc(fmt.Sprintf("%ssvc-%05d", prefix, i)) }
	appRef := func(i int) graph.Ref { return app(fmt.Sprintf("%sapp-%05d", prefix, i%apps)) }
	for i := range services {
		b.Nodes = append(b.Nodes, graph.NodeInput{
			Kind: graph.KindService, Key: svcRef(i).Key, Props: map[string]any{"tier": 1 + i%4},
		})
		b.Edges = append(b.Edges, partOf(svcRef(i), unit))
	}
	for i := range apps {
		b.Nodes = append(b.Nodes, graph.NodeInput{
			Kind: graph.KindApplication, Key: appRef(i).Key,
			Labels: map[string]string{"env": "prod"},
		})
		b.Edges = append(b.Edges, partOf(appRef(i), svcRef(i%services)))
		for d := 1; d <= 2 && d < apps; d++ {
			b.Edges = append(b.Edges, dependsOn(appRef(i), appRef(i+d)))
		}
	}
	return b
}
