package demo

import "github.com/estate-cmdb/estate/graph"

// Relationships that are not implied by a row of the other tables: how
// applications depend on each other, and owners beyond the one each
// descriptor or CODEOWNERS file names.

func buRef(key string) graph.Ref      { return graph.Ref{Kind: graph.KindBusinessUnit, Key: key} }
func serviceRef(key string) graph.Ref { return graph.Ref{Kind: graph.KindService, Key: key} }
func appRef(key string) graph.Ref     { return graph.Ref{Kind: graph.KindApplication, Key: key} }
func repoRef(name string) graph.Ref {
	return graph.Ref{Kind: graph.KindRepository, Key: "github.com/" + Org + "/" + name}
}
func teamRef(slug string) graph.Ref    { return graph.Ref{Kind: graph.KindTeam, Key: slug} }
func personRef(email string) graph.Ref { return graph.Ref{Kind: graph.KindPerson, Key: email} }
func accountRef(key string) graph.Ref  { return graph.Ref{Kind: graph.KindCloudAccount, Key: key} }
func resourceRef(arn string) graph.Ref { return graph.Ref{Kind: graph.KindCloudResource, Key: arn} }

type link struct {
	from, to   graph.Ref
	confidence graph.Confidence
	evidence   string
}

// dependencies are DEPENDS_ON relationships declared in descriptors or
// inferred from configuration and traffic. Dependencies implied by an `app`
// tag on a data store are added from the resource tables.
var dependencies = []link{
	// The checkout chain: storefront → checkout-api → payments-api →
	// ledger-service → accounts-core → accounts-db.
	{appRef("storefront"), appRef("checkout-api"), graph.Declared, "acme/checkout-monorepo/web/storefront/catalog-info.yaml:16 spec.dependsOn component:checkout-api"},
	{appRef("storefront"), appRef("product-catalog-api"), graph.Declared, "acme/checkout-monorepo/web/storefront/catalog-info.yaml:17 spec.dependsOn component:product-catalog-api"},
	{appRef("storefront"), appRef("auth-service"), graph.Declared, "acme/checkout-monorepo/web/storefront/catalog-info.yaml:18 spec.dependsOn component:auth-service"},
	{appRef("storefront"), appRef("checkout-ui-kit"), graph.Declared, "acme/checkout-monorepo/web/storefront/package.json:14 dependencies @acme/checkout-ui-kit"},
	{appRef("storefront"), appRef("loyalty-api"), graph.Inferred, "acme/checkout-monorepo/web/storefront/.env.production:7 REWARDS_API_URL=https://rewards.acme.example/api"},
	{appRef("checkout-api"), appRef("payments-api"), graph.Declared, "acme/checkout-monorepo/services/checkout-api/catalog-info.yaml:16 spec.dependsOn component:payments-api"},
	{appRef("checkout-api"), appRef("cart-service"), graph.Declared, "acme/checkout-monorepo/services/checkout-api/catalog-info.yaml:17 spec.dependsOn component:cart-service"},
	{appRef("checkout-api"), appRef("pricing-service"), graph.Declared, "acme/checkout-monorepo/services/checkout-api/catalog-info.yaml:18 spec.dependsOn component:pricing-service"},
	{appRef("checkout-api"), appRef("auth-service"), graph.Declared, "acme/checkout-monorepo/services/checkout-api/catalog-info.yaml:19 spec.dependsOn component:auth-service"},
	{appRef("checkout-api"), appRef("order-service"), graph.Inferred, "acme/checkout-monorepo/services/checkout-api/deploy/values-prod.yaml:31 ORDERS_URL=http://orders.internal.acme.example"},
	{appRef("pricing-service"), appRef("product-catalog-api"), graph.Inferred, "acme/checkout-monorepo/services/pricing/deploy/values-prod.yaml:12 CATALOG_URL=https://catalog.acme.example/v1"},
	{appRef("payments-api"), appRef("ledger-service"), graph.Declared, "acme/payments-api/catalog-info.yaml:16 spec.dependsOn component:ledger-service"},
	{appRef("payments-api"), appRef("card-tokenizer"), graph.Declared, "acme/payments-api/catalog-info.yaml:17 spec.dependsOn component:card-tokenizer"},
	{appRef("payments-api"), appRef("psp-adapter"), graph.Declared, "acme/payments-api/catalog-info.yaml:18 spec.dependsOn component:psp-adapter"},
	{appRef("payments-api"), appRef("fraud-scoring"), graph.Declared, "acme/payments-api/catalog-info.yaml:19 spec.dependsOn component:fraud-scoring"},
	{appRef("payments-api"), appRef("auth-client-go"), graph.Declared, "acme/payments-api/go.mod:9 require github.com/acme/auth-client-go v1.8.2"},
	{appRef("payments-api"), appRef("auth-service"), graph.Inferred, "acme/payments-api/config/prod.yaml:12 oidc.issuer: https://login.acme.example"},
	{appRef("payments-api"), resourceRef("arn:aws:rds:eu-west-1:111122223333:db:payments-db"), graph.Declared, "acme/payments-api/catalog-info.yaml:20 spec.dependsOn resource:payments-db"},
	{appRef("ledger-service"), appRef("accounts-core"), graph.Inferred, "acme/ledger-service/config/prod.yaml:27 accounts.url: http://accounts.internal.acme.example"},
	{appRef("ledger-service"), resourceRef("arn:aws:rds:eu-west-1:111122223333:db:ledger-db"), graph.Declared, "acme/ledger-service/catalog-info.yaml:17 spec.dependsOn resource:ledger-db"},
	{appRef("accounts-core"), resourceRef("arn:aws:rds:eu-west-1:111122223333:db:accounts-db"), graph.Declared, "acme/accounts-core/catalog-info.yaml:15 spec.dependsOn resource:accounts-db"},

	// Payments
	{appRef("fraud-scoring"), appRef("fraud-rules-engine"), graph.Declared, "acme/fraud-scoring/catalog-info.yaml:16 spec.dependsOn component:fraud-rules-engine"},
	{appRef("settlement-batch"), appRef("ledger-service"), graph.Declared, "acme/settlement-batch/catalog-info.yaml:15 spec.dependsOn component:ledger-service"},
	{appRef("settlement-batch"), appRef("psp-adapter"), graph.Inferred, "acme/settlement-batch/settings.py:41 PSP_ADAPTER_URL"},
	{appRef("ledger-reconciliation"), appRef("ledger-service"), graph.Inferred, "acme/ledger-reconciliation/config.yaml:8 ledger_url: http://ledger.internal.acme.example"},
	{appRef("payouts-api"), appRef("ledger-service"), graph.Declared, "acme/payouts-api/catalog-info.yaml:16 spec.dependsOn component:ledger-service"},
	{appRef("payouts-api"), appRef("auth-service"), graph.Declared, "acme/payouts-api/catalog-info.yaml:17 spec.dependsOn component:auth-service"},
	{appRef("fx-rates-poller"), appRef("ledger-service"), graph.Inferred, "acme/fx-rates-poller/poller.py:18 LEDGER_URL = \"http://ledger.internal.acme.example\""},

	// Digital commerce
	{appRef("search-indexer"), appRef("product-catalog-api"), graph.Declared, "acme/search-indexer/catalog-info.yaml:15 spec.dependsOn component:product-catalog-api"},
	{appRef("order-service"), appRef("payments-api"), graph.Inferred, "acme/order-service/src/main/resources/application-prod.yml:22 payments.base-url: https://pay.acme.example/v2"},
	{appRef("order-service"), serviceRef("customer-notifications"), graph.Declared, "acme/order-service/catalog-info.yaml:17 spec.dependsOn system:customer-notifications"},
	{appRef("order-export"), appRef("order-service"), graph.Declared, "acme/order-export/catalog-info.yaml:15 spec.dependsOn component:order-service"},
	{appRef("loyalty-api"), appRef("auth-service"), graph.Declared, "acme/loyalty-api/catalog-info.yaml:16 spec.dependsOn component:auth-service"},
	{appRef("loyalty-api"), appRef("order-service"), graph.Inferred, "acme/loyalty-api/src/config.ts:9 ORDERS_URL"},
	{appRef("promo-landing-pages"), serviceRef("loyalty"), graph.Heuristic, "acme/promo-pages/src/signup.js:31 fetch(\"https://rewards.acme.example/api/enrol\")"},

	// Retail banking
	{appRef("online-banking-web"), appRef("online-banking-bff"), graph.Declared, "acme/online-banking-web/catalog-info.yaml:16 spec.dependsOn component:online-banking-bff"},
	{appRef("online-banking-bff"), appRef("accounts-core"), graph.Declared, "acme/online-banking-bff/catalog-info.yaml:16 spec.dependsOn component:accounts-core"},
	{appRef("online-banking-bff"), appRef("loan-origination"), graph.Declared, "acme/online-banking-bff/catalog-info.yaml:17 spec.dependsOn component:loan-origination"},
	{appRef("online-banking-bff"), appRef("auth-service"), graph.Declared, "acme/online-banking-bff/catalog-info.yaml:18 spec.dependsOn component:auth-service"},
	{appRef("online-banking-bff"), appRef("payments-api"), graph.Inferred, "acme/online-banking-bff/src/main/resources/application-prod.yml:40 payments.url: https://pay.acme.example/v2"},
	{appRef("mobile-banking-api"), appRef("accounts-core"), graph.Declared, "acme/mobile-banking-api/catalog-info.yaml:16 spec.dependsOn component:accounts-core"},
	{appRef("mobile-banking-api"), appRef("auth-service"), graph.Declared, "acme/mobile-banking-api/catalog-info.yaml:17 spec.dependsOn component:auth-service"},
	{appRef("mobile-banking-api"), appRef("notification-service"), graph.Inferred, "acme/mobile-banking-api/src/main/resources/application-prod.yml:35 notify.url"},
	{appRef("statements-batch"), appRef("accounts-core"), graph.Declared, "acme/statements-batch/catalog-info.yaml:15 spec.dependsOn component:accounts-core"},
	{appRef("statements-batch"), appRef("notification-service"), graph.Declared, "acme/statements-batch/catalog-info.yaml:16 spec.dependsOn component:notification-service"},
	{appRef("loan-origination"), appRef("credit-decisioning"), graph.Declared, "acme/loan-origination/catalog-info.yaml:16 spec.dependsOn component:credit-decisioning"},
	{appRef("loan-origination"), appRef("accounts-core"), graph.Declared, "acme/loan-origination/catalog-info.yaml:17 spec.dependsOn component:accounts-core"},
	{appRef("loan-origination"), serviceRef("identity"), graph.Declared, "acme/loan-origination/catalog-info.yaml:18 spec.dependsOn system:identity"},
	{appRef("credit-decisioning"), appRef("fraud-scoring"), graph.Heuristic, "load balancer access logs: 38% of requests to fraud.internal.acme.example come from credit-decisioning"},
	{appRef("notification-service"), appRef("sms-gateway"), graph.Declared, "acme/notification-service/catalog-info.yaml:15 spec.dependsOn component:sms-gateway"},

	// Corporate IT
	{appRef("intranet-portal"), appRef("auth-service"), graph.Declared, "acme/intranet/catalog-info.yaml:15 spec.dependsOn component:auth-service"},
	{appRef("service-desk-portal"), appRef("auth-service"), graph.Declared, "acme/helpdesk-portal/catalog-info.yaml:15 spec.dependsOn component:auth-service"},
	{appRef("grafana"), appRef("auth-service"), graph.Inferred, "acme/grafana-deploy/grafana.ini:44 [auth.generic_oauth] auth_url = https://login.acme.example/authorize"},
	{appRef("artifact-registry"), appRef("auth-service"), graph.Inferred, "acme/artifact-registry/config/sso.yaml:3 issuer: https://login.acme.example"},
	{appRef("ci-runners"), appRef("artifact-registry"), graph.Inferred, "acme/ci-runner-images/runner.Dockerfile:5 FROM artifacts.internal.acme.example/base/ubuntu:24.04"},
	{appRef("dwh-loader"), resourceRef("arn:aws:rds:eu-west-1:111122223333:db:orders-db"), graph.Heuristic, "VPC flow logs: dwh-loader → orders-db:5432 nightly"},
}

// runsOn are RUNS_ON relationships not implied by an `app` tag on compute:
// static websites served straight from a bucket.
var runsOn = []link{
	{appRef("marketing-site"), resourceRef("arn:aws:s3:::acme-www-marketing"), graph.Inferred, "DNS acme.example CNAME acme-www-marketing.s3-website-eu-west-1.amazonaws.com"},
	{appRef("promo-landing-pages"), resourceRef("arn:aws:s3:::acme-growth-landing-pages"), graph.Inferred, "DNS promo.acme.example CNAME acme-growth-landing-pages.s3-website-us-east-1.amazonaws.com"},
}

type ownership struct {
	owner, target graph.Ref
	role          string
	confidence    graph.Confidence
	evidence      string
}

// extraOwners are owners besides the team each descriptor and CODEOWNERS
// names: business, support and security owners, heads of units, people
// named directly, and one owner guessed from commit history.
var extraOwners = []ownership{
	// Business units.
	{teamRef("banking"), buRef("retail-banking"), graph.OwnerTechnical, graph.Declared, "acme/engineering-handbook/org/units.yaml:4 engineering: group:banking"},
	{teamRef("payments"), buRef("payments"), graph.OwnerTechnical, graph.Declared, "acme/engineering-handbook/org/units.yaml:9 engineering: group:payments"},
	{teamRef("commerce"), buRef("digital-commerce"), graph.OwnerTechnical, graph.Declared, "acme/engineering-handbook/org/units.yaml:14 engineering: group:commerce"},
	{teamRef("platform"), buRef("corporate-it"), graph.OwnerTechnical, graph.Declared, "acme/engineering-handbook/org/units.yaml:19 engineering: group:platform"},
	{personRef("grace.lee@acme.example"), buRef("retail-banking"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/org/units.yaml:5 head: user:glee"},
	{personRef("priya.shah@acme.example"), buRef("payments"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/org/units.yaml:10 head: user:pshah"},
	{personRef("laura.martin@acme.example"), buRef("digital-commerce"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/org/units.yaml:15 head: user:lmartin"},
	{personRef("maria.gonzalez@acme.example"), buRef("corporate-it"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/org/units.yaml:20 head: user:mgonzalez"},

	// Services: business owners.
	{personRef("priya.shah@acme.example"), serviceRef("payments"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/catalog/systems/payments.yaml:7 metadata.annotations acme.example/business-owner: user:pshah"},
	{personRef("laura.martin@acme.example"), serviceRef("checkout"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/catalog/systems/checkout.yaml:7 metadata.annotations acme.example/business-owner: user:lmartin"},
	{personRef("grace.lee@acme.example"), serviceRef("online-banking"), graph.OwnerBusiness, graph.Declared, "acme/engineering-handbook/catalog/systems/online-banking.yaml:7 metadata.annotations acme.example/business-owner: user:glee"},
	{teamRef("security"), serviceRef("identity"), graph.OwnerSecurity, graph.Declared, "acme/engineering-handbook/catalog/systems/identity.yaml:8 metadata.annotations acme.example/security-owner: group:security"},

	// Applications with more than one owner.
	{personRef("priya.shah@acme.example"), appRef("payments-api"), graph.OwnerBusiness, graph.Declared, "acme/payments-api/catalog-info.yaml:9 metadata.annotations acme.example/business-owner: user:pshah"},
	{teamRef("platform-sre"), appRef("payments-api"), graph.OwnerSupport, graph.Declared, "acme/payments-api/catalog-info.yaml:10 metadata.annotations pagerduty.com/escalation-policy: platform-sre-24x7"},
	{teamRef("security"), appRef("card-tokenizer"), graph.OwnerSecurity, graph.Declared, "acme/card-tokenizer/catalog-info.yaml:9 metadata.annotations acme.example/security-owner: group:security"},
	{teamRef("security"), appRef("auth-service"), graph.OwnerSecurity, graph.Declared, "acme/auth-service/catalog-info.yaml:9 metadata.annotations acme.example/security-owner: group:security"},
	{teamRef("marketing-web"), appRef("storefront"), graph.OwnerBusiness, graph.Declared, "acme/checkout-monorepo/web/storefront/catalog-info.yaml:9 metadata.annotations acme.example/business-owner: group:marketing-web"},
	// The conflict: catalog-info.yaml says checkout, the commits say storefront.
	{teamRef("storefront"), appRef("pricing-service"), graph.OwnerTechnical, graph.Heuristic, "acme/checkout-monorepo git log -- services/pricing (last 90 days): 71% of 212 commits by members of storefront"},

	// People named directly.
	{personRef(DepartedOwner), appRef(OrphanApp), graph.OwnerTechnical, graph.Declared, "acme/fx-rates-poller/catalog-info.yaml:12 spec.owner: user:dokafor"},
	{personRef("omar.haddad@acme.example"), appRef("doc-archive"), graph.OwnerTechnical, graph.Heuristic, "acme/doc-archive git log: top committer 2019–2023 (62 of 140 commits)"},

	// The registered account.
	{teamRef("platform-sre"), accountRef(RegisteredAccount), graph.OwnerTechnical, graph.Declared, "AWS Organizations account tag owner=platform-sre"},
}
