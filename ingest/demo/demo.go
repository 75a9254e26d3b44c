// Package demo is a hand-crafted, deterministic demo estate exposed as an
// ingest source: Acme, a fictional bank and retailer with the GitHub
// organisation `acme` and two AWS accounts.
//
// It is what `estate serve --demo` loads, and what tests of the answers
// (who owns this, what breaks if it changes, the shadow estate) are checked
// against by hand. The estate is realistic on purpose, gaps included: some
// cloud resources nobody owns, repositories that build nothing, an
// application that belongs to no service, a service nobody owns, an owner
// who left the company, tags naming teams and applications that do not exist,
// and a whole AWS account central IT never registered. The exported facts
// below name those gaps so tests need not rediscover them; the package's own
// tests check every one of them against what the source emits.
//
// The data lives in tables of structs (org.go, catalog.go, repos.go,
// cloud.go, relations.go); build.go turns them into nodes and relationships.
// Every relationship carries the evidence a real source would have found it
// by (a catalog-info.yaml line, a CODEOWNERS line, a cloud tag, a Terraform
// state address) and a confidence to match.
package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// SourceName is the provenance recorded on everything the demo asserts.
const SourceName = "demo"

// Facts the demo estate guarantees. Keys are natural keys of the kind named.
const (
	// Org is the GitHub organisation every repository lives in.
	Org = "acme"

	// RegisteredAccount is the production AWS account central IT knows about
	// (CloudAccount, registered=true, named "acme-prod").
	RegisteredAccount = "aws:111122223333"
	// ShadowAccount is an AWS account nobody registered (registered=false):
	// the growth team's own marketing-experiments account.
	ShadowAccount = "aws:444455556666"

	// MonorepoKey is the repository that builds several applications, each
	// from its own directory (see MonorepoApps).
	MonorepoKey = "github.com/acme/checkout-monorepo"

	// OrphanApp is an application that is PART_OF no service.
	OrphanApp = "fx-rates-poller"
	// UnownedService is a service with no OWNS relationship at all.
	UnownedService = "document-archive"
	// ServiceWithoutBU is a service that is PART_OF no business unit.
	ServiceWithoutBU = "experimentation"
	// NestedBU is a business unit PART_OF another (ParentBU).
	NestedBU = "payments"
	// ParentBU is the business unit NestedBU belongs to.
	ParentBU = "retail-banking"

	// DepartedOwner is a person in no team any more who still OWNS the
	// orphan application and its repository.
	DepartedOwner = "dave.okafor@acme.example"

	// SharedApp is the platform application most others depend on.
	SharedApp = "auth-service"
	// MultiOwnerApp has several owners with different roles: payments-core
	// (technical), Priya Shah (business) and platform-sre (support).
	MultiOwnerApp = "payments-api"
	// ConflictApp has two technical owners that disagree: checkout declared
	// in catalog-info.yaml and storefront guessed from commit history.
	ConflictApp = "pricing-service"

	// PaymentsHostname is the public hostname of MultiOwnerApp, the kind of
	// thing a service-desk agent pastes into a search box.
	PaymentsHostname = "pay.acme.example"
)

// Facts as lists. Callers must not modify them.
var (
	// MonorepoApps maps each directory of MonorepoKey to the application
	// built from it (the BUILDS path property).
	MonorepoApps = map[string]string{
		"services/checkout-api": "checkout-api",
		"services/cart":         "cart-service",
		"services/pricing":      "pricing-service",
		"web/storefront":        "storefront",
		"libs/ui-kit":           "checkout-ui-kit",
	}

	// ImpactChain is a DEPENDS_ON chain between applications, each
	// depending on the next: changing the last one reaches the first in
	// len(ImpactChain)-1 hops. The last one also DEPENDS_ON ImpactChainEnd.
	ImpactChain = []string{"storefront", "checkout-api", "payments-api", "ledger-service", "accounts-core"}
	// ImpactChainEnd is the database (a CloudResource ARN) at the end of
	// ImpactChain.
	ImpactChainEnd = "arn:aws:rds:eu-west-1:111122223333:db:accounts-db"

	// UnmappedRepositories are repositories that neither BUILD an
	// application nor DEFINE a cloud resource: nothing in the catalog
	// explains them.
	UnmappedRepositories = []string{
		"github.com/acme/.github",
		"github.com/acme/adr",
		"github.com/acme/ci-templates",
		"github.com/acme/engineering-handbook",
		"github.com/acme/eslint-config-acme",
		"github.com/acme/go-common",
		"github.com/acme/growth-experiments",
		"github.com/acme/hackathon-2023-chatbot",
		"github.com/acme/legacy-cobol-statements",
		"github.com/acme/load-tests",
		"github.com/acme/ml-notebooks",
		"github.com/acme/mobile-app-android",
		"github.com/acme/mobile-app-ios",
		"github.com/acme/old-website",
		"github.com/acme/payments-sdk-java",
		"github.com/acme/platform-gitops",
		"github.com/acme/security-scanner-poc",
		"github.com/acme/status-page",
		"github.com/acme/terraform-modules",
	}
	// InfraRepositories build no application but DEFINE cloud resources
	// (Terraform): mapped to infrastructure, not to applications.
	InfraRepositories = []string{
		"github.com/acme/infra-live",
		"github.com/acme/payments-infra",
	}

	// UnownedResources are cloud resources (ARNs) with no owner by any
	// route: no OWNS, no application RUNS_ON or DEPENDS_ON them, and no
	// repository DEFINES them.
	UnownedResources = []string{
		// acme-prod (registered)
		"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b29b3f8d101fb289", // temp-debug-box
		"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b448a4b840b752fb", // bastion-legacy
		"arn:aws:s3:::acme-tmp-exports-2021",
		"arn:aws:rds:eu-west-1:111122223333:db:reporting-replica-old",
		"arn:aws:lambda:eu-west-1:111122223333:function:test-function-jk",
		"arn:aws:sqs:eu-west-1:111122223333:legacy-dead-letter",
		"arn:aws:ec2:us-east-1:111122223333:instance/i-04f06184fd1071522", // recs-trainer-1
		"arn:aws:s3:::acme-recs-models",
		"arn:aws:dynamodb:eu-west-1:111122223333:table/feature-flags",
		// marketing-experiments (shadow)
		"arn:aws:ec2:us-east-1:444455556666:instance/i-0d245db78f8b20de1", // growth-scraper-1
		"arn:aws:ec2:us-east-1:444455556666:instance/i-02a885ba479382a27", // growth-scraper-2
		"arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/app/growth-tools-alb/e070480a61624ab3",
		"arn:aws:lambda:us-east-1:444455556666:function:ab-test-assigner",
		"arn:aws:dynamodb:us-east-1:444455556666:table/ab-test-assignments",
		"arn:aws:s3:::acme-growth-raw-clicks",
		"arn:aws:rds:us-east-1:444455556666:db:growth-analytics",
		"arn:aws:ec2:us-east-1:444455556666:instance/i-02dbd2662d0e7f999", // jupyter-hub
	}

	// UnknownTeamTags are values of the `team` tag on cloud resources that
	// name no team in the estate.
	UnknownTeamTags = []string{"data-science", "growth-hackers"}
	// UnknownAppTags are values of the `app` tag on cloud resources that
	// name no application in the estate.
	UnknownAppTags = []string{"ab-testing", "recommendation-engine"}
)

// Source emits the demo estate. It holds no state: every run emits the same
// nodes and relationships in the same order.
type Source struct{}

// New returns the demo source.
func New() *Source { return &Source{} }

// Name is the provenance of everything the demo asserts.
func (*Source) Name() string { return SourceName }

// Run emits every node, then every relationship.
func (*Source) Run(ctx context.Context, emit ingest.Emitter) error {
	nodes, edges, err := Items()
	if err != nil {
		return err
	}
	for i, n := range nodes {
		if i%100 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit.Node(n); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for i, e := range edges {
		if i%100 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit.Edge(e); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

var built = sync.OnceValues(func() (*estate, error) { return build() })

// Items returns the demo estate's nodes and relationships in emission order
// (all nodes first), for callers that load it without the ingest engine.
// The slices are fresh copies; the maps inside them are shared and must not
// be modified.
func Items() ([]graph.NodeInput, []graph.EdgeInput, error) {
	e, err := built()
	if err != nil {
		return nil, nil, err
	}
	return append([]graph.NodeInput(nil), e.nodes...), append([]graph.EdgeInput(nil), e.edges...), nil
}
