package demo

// The catalogue: business services and the applications they are made of.

// service is a business service (a Backstage System). Its descriptor lives
// in github.com/acme/engineering-handbook under catalog/systems/<key>.yaml.
type service struct {
	key, name string
	bu        string // business unit it is PART_OF ("" for none)
	tier      int    // 1 (most critical) to 4
	lifecycle string
	owner     string // owning team slug ("" for none)
	desc      string
}

var services = []service{
	// Retail banking
	{"online-banking", "Online Banking", "retail-banking", 1, "production", "daily-banking", "Web and mobile banking for personal customers."},
	{"current-accounts", "Current Accounts", "retail-banking", 1, "production", "daily-banking", "Account keeping, balances and statements."},
	{"loans", "Loans", "retail-banking", 2, "production", "lending", "Personal loan applications and credit decisions."},
	{"customer-notifications", "Customer Notifications", "retail-banking", 3, "production", "daily-banking", "E-mail, push and SMS messages to customers."},
	{"document-archive", "Document Archive", "retail-banking", 3, "deprecated", "", "Legacy archive of scanned customer documents, being retired."},
	// Payments (a business unit inside retail banking)
	{"payments", "Card Payments", "payments", 1, "production", "payments-core", "Card and wallet payment acceptance for the shop and for merchants."},
	{"ledger", "General Ledger", "payments", 1, "production", "payments-core", "Double-entry ledger of every payment, settlement and payout."},
	{"fraud-detection", "Fraud Detection", "payments", 1, "production", "payments-fraud", "Real-time fraud scoring of payments and loan applications."},
	{"payouts", "Merchant Payouts", "payments", 2, "production", "payments-core", "Payouts to marketplace merchants."},
	// Digital commerce
	{"checkout", "Checkout", "digital-commerce", 1, "production", "checkout", "Cart, pricing and checkout for the online store."},
	{"online-store", "Online Store", "digital-commerce", 2, "production", "storefront", "The shop front end at www.acme.example."},
	{"product-catalog", "Product Catalogue", "digital-commerce", 2, "production", "storefront", "Products, prices on display and search."},
	{"order-management", "Order Management", "digital-commerce", 2, "production", "checkout", "Orders after checkout: fulfilment and exports."},
	{"loyalty", "Acme Rewards", "digital-commerce", 3, "production", "storefront", "The rewards programme."},
	{"marketing-site", "Marketing Website", "digital-commerce", 4, "production", "marketing-web", "acme.example and the newsroom."},
	{"experimentation", "Growth Experiments", "", 4, "experimental", "marketing-web", "Campaign landing pages and A/B tests."},
	// Corporate IT
	{"identity", "Identity & Access", "corporate-it", 1, "production", "platform-identity", "Customer and employee login, single sign-on, tokens."},
	{"observability", "Observability", "corporate-it", 2, "production", "platform-sre", "Dashboards, alerting and central logging."},
	{"build-platform", "Build & Release", "corporate-it", 3, "production", "platform-sre", "CI runners and the artifact registry."},
	{"data-warehouse", "Data Warehouse", "corporate-it", 3, "production", "data-platform", "Data lake and reporting warehouse."},
	{"intranet", "Intranet", "corporate-it", 4, "production", "workplace", "The employee intranet."},
	{"service-desk", "IT Service Desk", "corporate-it", 3, "production", "workplace", "The IT help desk portal."},
}

// criticality names a service tier the way a service register does.
var criticality = map[int]string{1: "critical", 2: "high", 3: "medium", 4: "low"}

// Application types, as Backstage spells spec.type.
const (
	typeService = "service"
	typeWebsite = "website"
	typeLibrary = "library"
	typeBatch   = "batch"
)

// application is a deployable component. Its descriptor is the
// catalog-info.yaml in the repository (or monorepo directory) that builds it.
type application struct {
	key, name string
	typ       string
	lifecycle string
	service   string // service it is PART_OF ("" for none)
	owner     string // owning team slug from spec.owner ("" when a person owns it: see extraOwners)
	hostnames []string
	urls      []string
	desc      string
}

var applications = []application{
	// Payments
	{"payments-api", "Payments API", typeService, "production", "payments", "payments-core",
		[]string{"pay.acme.example"}, []string{"https://pay.acme.example/v2"}, "Authorises and captures card payments."},
	{"card-tokenizer", "Card Tokenizer", typeService, "production", "payments", "payments-core",
		[]string{"vault.internal.acme.example"}, nil, "PCI vault: swaps card numbers for tokens."},
	{"psp-adapter", "PSP Adapter", typeService, "production", "payments", "payments-core",
		nil, nil, "Talks to the external payment service providers."},
	{"settlement-batch", "Settlement Batch", typeBatch, "production", "payments", "payments-core",
		nil, nil, "Nightly settlement files from the acquirers."},
	{"ledger-service", "Ledger Service", typeService, "production", "ledger", "payments-core",
		[]string{"ledger.internal.acme.example"}, nil, "Posts double-entry journal lines."},
	{"ledger-reconciliation", "Ledger Reconciliation", typeBatch, "production", "ledger", "payments-core",
		nil, nil, "Reconciles the ledger against bank statements."},
	{"fraud-scoring", "Fraud Scoring", typeService, "production", "fraud-detection", "payments-fraud",
		[]string{"fraud.internal.acme.example"}, nil, "Scores every payment in real time."},
	{"fraud-rules-engine", "Fraud Rules Engine", typeService, "production", "fraud-detection", "payments-fraud",
		nil, nil, "Analyst-maintained fraud rules."},
	{"payouts-api", "Payouts API", typeService, "production", "payouts", "payments-core",
		[]string{"payouts.acme.example"}, []string{"https://payouts.acme.example/api"}, "Schedules and sends merchant payouts."},

	// Digital commerce: the checkout monorepo
	{"checkout-api", "Checkout API", typeService, "production", "checkout", "checkout",
		[]string{"checkout.acme.example"}, []string{"https://checkout.acme.example/api"}, "Turns a cart into a paid order."},
	{"cart-service", "Cart Service", typeService, "production", "checkout", "checkout",
		[]string{"cart.internal.acme.example"}, nil, "Shopping carts."},
	{"pricing-service", "Pricing Service", typeService, "production", "checkout", "checkout",
		nil, nil, "Prices, promotions and vouchers."},
	{"checkout-ui-kit", "Checkout UI Kit", typeLibrary, "production", "checkout", "checkout",
		nil, nil, "Shared React components for checkout pages."},
	{"storefront", "Storefront", typeWebsite, "production", "online-store", "storefront",
		[]string{"www.acme.example", "shop.acme.example"}, []string{"https://www.acme.example"}, "The shop front end."},

	// Digital commerce
	{"product-catalog-api", "Product Catalogue API", typeService, "production", "product-catalog", "storefront",
		[]string{"catalog.acme.example"}, []string{"https://catalog.acme.example/v1"}, "Products and availability."},
	{"search-indexer", "Search Indexer", typeBatch, "production", "product-catalog", "storefront",
		nil, nil, "Feeds product changes into search."},
	{"order-service", "Order Service", typeService, "production", "order-management", "checkout",
		[]string{"orders.internal.acme.example"}, nil, "Order lifecycle after checkout."},
	{"order-export", "Order Export", typeBatch, "production", "order-management", "checkout",
		nil, nil, "Daily order exports for the warehouse partner."},
	{"loyalty-api", "Rewards API", typeService, "production", "loyalty", "storefront",
		[]string{"rewards.acme.example"}, []string{"https://rewards.acme.example/api"}, "Points balances and redemptions."},
	{"marketing-site", "Marketing Site", typeWebsite, "production", "marketing-site", "marketing-web",
		[]string{"acme.example", "news.acme.example"}, []string{"https://acme.example", "https://news.acme.example"}, "Static marketing website."},
	{"promo-landing-pages", "Promo Landing Pages", typeWebsite, "experimental", "experimentation", "marketing-web",
		[]string{"promo.acme.example"}, []string{"https://promo.acme.example"}, "Campaign landing pages."},

	// Retail banking
	{"online-banking-web", "Online Banking Web", typeWebsite, "production", "online-banking", "daily-banking",
		[]string{"bank.acme.example"}, []string{"https://bank.acme.example/login"}, "Internet banking front end."},
	{"online-banking-bff", "Online Banking BFF", typeService, "production", "online-banking", "daily-banking",
		[]string{"bff.bank.internal.acme.example"}, nil, "Backend for the online banking front end."},
	{"mobile-banking-api", "Mobile Banking API", typeService, "production", "online-banking", "daily-banking",
		[]string{"mobile-api.acme.example"}, []string{"https://mobile-api.acme.example/v3"}, "API behind the iOS and Android apps."},
	{"accounts-core", "Accounts Core", typeService, "production", "current-accounts", "daily-banking",
		[]string{"accounts.internal.acme.example"}, nil, "Account keeping: balances and transactions."},
	{"statements-batch", "Statements Batch", typeBatch, "production", "current-accounts", "daily-banking",
		nil, nil, "Monthly PDF statements."},
	{"loan-origination", "Loan Origination", typeService, "production", "loans", "lending",
		[]string{"loans.acme.example"}, []string{"https://loans.acme.example/apply"}, "Loan applications."},
	{"credit-decisioning", "Credit Decisioning", typeService, "production", "loans", "lending",
		nil, nil, "Automated credit decisions."},
	{"notification-service", "Notification Service", typeService, "production", "customer-notifications", "daily-banking",
		[]string{"notify.internal.acme.example"}, nil, "Sends e-mail and push notifications."},
	{"sms-gateway", "SMS Gateway", typeService, "production", "customer-notifications", "daily-banking",
		nil, nil, "Sends SMS through the telecom provider."},
	{"doc-archive", "Document Archive", typeService, "deprecated", "document-archive", "",
		[]string{"archive.internal.acme.example"}, nil, "Legacy document archive."},

	// Corporate IT
	{"auth-service", "Auth Service", typeService, "production", "identity", "platform-identity",
		[]string{"auth.acme.example", "login.acme.example"}, []string{"https://login.acme.example"}, "OpenID Connect provider for customers and staff."},
	{"auth-client-go", "Auth Client for Go", typeLibrary, "production", "identity", "platform-identity",
		nil, nil, "Go client library for the auth service."},
	{"grafana", "Grafana", typeService, "production", "observability", "platform-sre",
		[]string{"grafana.internal.acme.example"}, []string{"https://grafana.internal.acme.example"}, "Dashboards and alerting."},
	{"log-pipeline", "Log Pipeline", typeBatch, "production", "observability", "platform-sre",
		nil, nil, "Ships logs to central storage."},
	{"ci-runners", "CI Runners", typeService, "production", "build-platform", "platform-sre",
		nil, nil, "Self-hosted GitHub Actions runners."},
	{"artifact-registry", "Artifact Registry", typeService, "production", "build-platform", "platform-sre",
		[]string{"artifacts.internal.acme.example"}, []string{"https://artifacts.internal.acme.example"}, "Container images and packages."},
	{"dwh-loader", "Warehouse Loader", typeBatch, "production", "data-warehouse", "data-platform",
		nil, nil, "Loads operational data into the warehouse."},
	{"intranet-portal", "Intranet Portal", typeWebsite, "production", "intranet", "workplace",
		[]string{"intranet.acme.example"}, []string{"https://intranet.acme.example"}, "The employee intranet."},
	{"service-desk-portal", "Service Desk Portal", typeWebsite, "production", "service-desk", "workplace",
		[]string{"help.acme.example"}, []string{"https://help.acme.example"}, "Raise and track IT tickets."},

	// Belongs to no service; its owner left (see extraOwners).
	{"fx-rates-poller", "FX Rates Poller", typeBatch, "production", "", "",
		nil, nil, "Polls the central bank for exchange rates every 15 minutes."},
}

// appsWithoutDescriptor have no catalog-info.yaml: their service comes from
// a GitHub custom property and their owner from the repository's CODEOWNERS,
// so both are inferred rather than declared.
var appsWithoutDescriptor = map[string]bool{
	"psp-adapter":           true,
	"ledger-reconciliation": true,
	"sms-gateway":           true,
	"ci-runners":            true,
	"doc-archive":           true,
}
