package demo

import "github.com/estate-cmdb/estate/graph"

// Repositories in the GitHub organisation acme, keyed github.com/acme/<name>.

const (
	private  = "private"
	internal = "internal"
	public   = "public"
)

type repository struct {
	name       string // github.com/acme/<name>
	language   string // "" when GitHub detects none
	visibility string
	branch     string
	archived   bool
	pushedAt   string
	// codeowner is the default owner in CODEOWNERS line 1 (`* @acme/<slug>`
	// for a team, `* @<login>` for a person); "" when there is no CODEOWNERS.
	codeowner string
	topics    []string
	desc      string
	// builds lists the applications whose catalog-info.yaml is in this
	// repository (for MonorepoKey, in the directories of MonorepoApps).
	builds []string
}

var repositories = []repository{
	// One application each.
	{"payments-api", "Go", private, "main", false, "2025-06-02T16:41:07Z", "payments-core", []string{"payments", "pci", "go"}, "Payments API", []string{"payments-api"}},
	{"card-tokenizer", "Go", private, "main", false, "2025-05-28T09:12:44Z", "payments-core", []string{"payments", "pci"}, "PCI card vault", []string{"card-tokenizer"}},
	{"psp-adapter", "Java", private, "main", false, "2025-05-20T13:05:31Z", "payments-core", []string{"payments"}, "Adapters for Adyen, Stripe and Worldpay", []string{"psp-adapter"}},
	{"settlement-batch", "Python", private, "main", false, "2025-05-30T07:58:19Z", "payments-core", []string{"payments", "batch"}, "Nightly acquirer settlement", []string{"settlement-batch"}},
	{"ledger-service", "Go", private, "main", false, "2025-06-01T11:20:53Z", "payments-core", []string{"ledger", "payments"}, "Double-entry ledger", []string{"ledger-service"}},
	{"ledger-reconciliation", "Python", private, "main", false, "2025-04-17T15:33:02Z", "payments-core", []string{"ledger", "batch"}, "Ledger vs. bank statement reconciliation", []string{"ledger-reconciliation"}},
	{"fraud-scoring", "Python", private, "main", false, "2025-06-03T08:47:26Z", "payments-fraud", []string{"fraud", "ml"}, "Real-time fraud scoring", []string{"fraud-scoring"}},
	{"fraud-rules-engine", "Kotlin", private, "main", false, "2025-05-26T10:02:11Z", "payments-fraud", []string{"fraud"}, "Fraud rules engine", []string{"fraud-rules-engine"}},
	{"payouts-api", "Go", private, "main", false, "2025-05-29T14:15:40Z", "payments-core", []string{"payments", "payouts"}, "Merchant payouts", []string{"payouts-api"}},
	{"product-catalog-api", "TypeScript", private, "main", false, "2025-06-02T12:08:33Z", "storefront", []string{"commerce", "catalog"}, "Product catalogue API", []string{"product-catalog-api"}},
	{"search-indexer", "TypeScript", private, "main", false, "2025-05-14T09:30:00Z", "storefront", []string{"commerce", "search"}, "Product search indexer", []string{"search-indexer"}},
	{"order-service", "Java", private, "main", false, "2025-06-02T10:11:12Z", "checkout", []string{"commerce", "orders"}, "Order service", []string{"order-service"}},
	{"order-export", "Python", private, "main", false, "2025-03-11T17:45:09Z", "checkout", []string{"commerce", "batch"}, "Order exports for the warehouse partner", []string{"order-export"}},
	{"loyalty-api", "TypeScript", private, "main", false, "2025-05-22T08:19:57Z", "storefront", []string{"commerce", "rewards"}, "Acme Rewards API", []string{"loyalty-api"}},
	{"www-marketing", "TypeScript", public, "main", false, "2025-06-03T07:02:48Z", "marketing-web", []string{"website", "astro"}, "acme.example marketing site", []string{"marketing-site"}},
	{"promo-pages", "JavaScript", private, "main", false, "2025-05-31T19:27:14Z", "marketing-web", []string{"website", "campaigns"}, "Campaign landing pages", []string{"promo-landing-pages"}},
	{"online-banking-web", "TypeScript", private, "main", false, "2025-06-02T15:50:21Z", "daily-banking", []string{"banking", "react"}, "Internet banking front end", []string{"online-banking-web"}},
	{"online-banking-bff", "Kotlin", private, "main", false, "2025-06-01T09:44:38Z", "daily-banking", []string{"banking"}, "Online banking backend-for-frontend", []string{"online-banking-bff"}},
	{"mobile-banking-api", "Kotlin", private, "main", false, "2025-05-27T13:36:05Z", "daily-banking", []string{"banking", "mobile"}, "Mobile banking API", []string{"mobile-banking-api"}},
	{"accounts-core", "Java", private, "master", false, "2025-05-19T16:22:50Z", "daily-banking", []string{"banking", "core"}, "Core account keeping", []string{"accounts-core"}},
	{"statements-batch", "Java", private, "master", false, "2025-04-30T06:10:03Z", "daily-banking", []string{"banking", "batch"}, "Monthly statements", []string{"statements-batch"}},
	{"loan-origination", "Java", private, "main", false, "2025-05-23T11:58:16Z", "lending", []string{"lending"}, "Loan applications", []string{"loan-origination"}},
	{"credit-decisioning", "Python", private, "main", false, "2025-05-15T14:04:29Z", "lending", []string{"lending", "ml"}, "Automated credit decisions", []string{"credit-decisioning"}},
	{"notification-service", "Go", private, "main", false, "2025-05-28T12:31:45Z", "daily-banking", []string{"notifications"}, "Customer notifications", []string{"notification-service"}},
	{"sms-gateway", "Go", private, "main", false, "2025-02-06T10:17:38Z", "daily-banking", []string{"notifications", "sms"}, "SMS provider gateway", []string{"sms-gateway"}},
	{"doc-archive", "Java", private, "master", false, "2023-11-09T15:48:22Z", "", nil, "Legacy document archive", []string{"doc-archive"}},
	{"auth-service", "Go", private, "main", false, "2025-06-03T09:55:01Z", "platform-identity", []string{"identity", "oidc", "go"}, "OpenID Connect provider", []string{"auth-service"}},
	{"auth-client-go", "Go", internal, "main", false, "2025-05-12T08:26:34Z", "platform-identity", []string{"identity", "library", "go"}, "Go client for the auth service", []string{"auth-client-go"}},
	{"grafana-deploy", "Jsonnet", private, "main", false, "2025-05-30T16:12:27Z", "platform-sre", []string{"observability"}, "Grafana deployment and dashboards", []string{"grafana"}},
	{"log-pipeline", "Go", private, "main", false, "2025-05-08T10:40:52Z", "platform-sre", []string{"observability", "logging"}, "Central log shipping", []string{"log-pipeline"}},
	{"ci-runner-images", "Dockerfile", private, "main", false, "2025-05-25T07:33:18Z", "platform-sre", []string{"ci", "github-actions"}, "Images for self-hosted CI runners", []string{"ci-runners"}},
	{"artifact-registry", "Shell", private, "main", false, "2025-04-22T13:21:09Z", "platform-sre", []string{"ci"}, "Artifact registry configuration", []string{"artifact-registry"}},
	{"dwh-loader", "Python", private, "main", false, "2025-05-29T05:14:56Z", "data-platform", []string{"data", "batch"}, "Warehouse loading jobs", []string{"dwh-loader"}},
	{"intranet", "PHP", private, "main", false, "2025-03-27T11:07:41Z", "workplace", []string{"intranet"}, "Employee intranet", []string{"intranet-portal"}},
	{"helpdesk-portal", "TypeScript", private, "main", false, "2025-05-06T15:39:30Z", "workplace", []string{"itsm"}, "IT service desk portal", []string{"service-desk-portal"}},
	{"fx-rates-poller", "Python", private, "main", false, "2024-08-14T18:03:27Z", "@dokafor", []string{"fx"}, "Exchange rate poller", []string{"fx-rates-poller"}},

	// The monorepo: several applications, one directory each.
	{"checkout-monorepo", "TypeScript", private, "main", false, "2025-06-03T10:28:45Z", "checkout", []string{"commerce", "monorepo", "nx"}, "Checkout and storefront monorepo",
		[]string{"checkout-api", "cart-service", "pricing-service", "storefront", "checkout-ui-kit"}},

	// A second repository for an application built mainly elsewhere (see extraBuilds).
	{"ledger-migrations", "PLpgSQL", private, "main", false, "2025-05-21T09:09:09Z", "payments-core", []string{"ledger", "database"}, "Ledger database migrations", nil},
	{"storefront-assets", "SCSS", private, "main", false, "2025-05-16T14:44:12Z", "storefront", []string{"commerce", "assets"}, "Storefront images, fonts and styles", nil},

	// Infrastructure as code: no application, but they DEFINE cloud resources.
	{"infra-live", "HCL", private, "main", false, "2025-06-03T11:17:36Z", "platform-sre", []string{"terraform", "aws"}, "Live Terraform for the acme-prod account", nil},
	{"payments-infra", "HCL", private, "main", false, "2025-05-30T12:52:03Z", "payments-core", []string{"terraform", "aws", "pci"}, "Terraform for the PCI payments zone", nil},

	// Build nothing, define nothing: unmapped.
	{".github", "", public, "main", false, "2025-01-20T10:00:00Z", "platform", nil, "Organisation profile and default community files", nil},
	{"adr", "", internal, "main", false, "2025-04-02T09:15:27Z", "platform", []string{"architecture"}, "Architecture decision records", nil},
	{"ci-templates", "", internal, "main", false, "2025-05-19T08:03:55Z", "platform-sre", []string{"ci", "github-actions"}, "Reusable GitHub Actions workflows", nil},
	{"engineering-handbook", "", internal, "main", false, "2025-05-30T15:25:18Z", "platform", []string{"docs"}, "Engineering handbook and system descriptors", nil},
	{"eslint-config-acme", "JavaScript", public, "main", false, "2024-12-03T12:00:41Z", "storefront", []string{"eslint", "library"}, "Shared ESLint configuration", nil},
	{"go-common", "Go", internal, "main", false, "2025-05-07T14:49:23Z", "platform", []string{"go", "library"}, "Shared Go packages", nil},
	{"growth-experiments", "Python", private, "main", false, "2025-06-01T22:14:06Z", "", []string{"growth"}, "Scrapers and A/B test scripts", nil},
	{"hackathon-2023-chatbot", "Python", private, "main", false, "2023-10-13T17:59:59Z", "", nil, "Hackathon 2023: support chatbot", nil},
	{"legacy-cobol-statements", "COBOL", private, "master", true, "2021-03-30T08:00:00Z", "daily-banking", []string{"legacy"}, "Mainframe statement run (replaced by statements-batch)", nil},
	{"load-tests", "JavaScript", private, "main", false, "2025-04-25T10:31:16Z", "platform-sre", []string{"k6", "performance"}, "k6 load tests", nil},
	{"ml-notebooks", "Jupyter Notebook", private, "main", false, "2025-02-18T16:20:44Z", "", []string{"ml"}, "Exploratory notebooks", nil},
	{"mobile-app-android", "Kotlin", private, "main", false, "2025-06-02T18:06:32Z", "daily-banking", []string{"mobile", "android"}, "Acme Bank for Android", nil},
	{"mobile-app-ios", "Swift", private, "main", false, "2025-06-02T17:41:09Z", "daily-banking", []string{"mobile", "ios"}, "Acme Bank for iOS", nil},
	{"old-website", "HTML", private, "master", true, "2020-07-01T12:00:00Z", "marketing-web", nil, "The 2016 website", nil},
	{"payments-sdk-java", "Java", public, "main", false, "2025-03-05T09:46:58Z", "payments-core", []string{"payments", "sdk"}, "Java SDK for merchants", nil},
	{"platform-gitops", "", private, "main", false, "2025-06-03T12:00:19Z", "platform-sre", []string{"gitops", "argocd"}, "Argo CD application manifests", nil},
	{"security-scanner-poc", "Go", private, "main", false, "2024-11-21T13:13:13Z", "", []string{"security"}, "Proof of concept: dependency scanner", nil},
	{"status-page", "", public, "main", true, "2022-09-14T10:26:40Z", "platform-sre", nil, "Old public status page", nil},
	{"terraform-modules", "HCL", internal, "main", false, "2025-05-13T11:38:27Z", "platform-sre", []string{"terraform", "library"}, "Shared Terraform modules", nil},
}

// extraBuilds are applications built from a second repository, found
// without a descriptor saying so.
var extraBuilds = []struct {
	repo, app  string
	confidence graph.Confidence
	evidence   string
}{
	{"storefront-assets", "storefront", graph.Inferred,
		"acme/storefront-assets/.github/workflows/publish.yml:22 uploads dist/ to s3://acme-storefront-assets (app=storefront)"},
	{"ledger-migrations", "ledger-service", graph.Heuristic,
		"acme/ledger-migrations/README.md:1 \"Database migrations for the ledger service\""},
}

// monorepoOwners are further CODEOWNERS lines of the monorepo, after line
// 1 (`* @acme/checkout`).
var monorepoOwners = []struct {
	line          int
	pattern, team string
}{
	{4, "/web/", "storefront"},
}
