package demo

// The organisation: business units, teams and the people in them.

type businessUnit struct {
	key, name string
	parent    string // business unit this one is PART_OF ("" for a top-level unit)
	desc      string
}

var businessUnits = []businessUnit{
	{"retail-banking", "Retail Banking", "", "Current accounts, loans and the digital banking channels for personal customers."},
	{"payments", "Payments", "retail-banking", "Card acceptance, payment processing, merchant payouts and fraud prevention."},
	{"digital-commerce", "Digital Commerce", "", "The Acme online store: catalogue, checkout, orders and the rewards programme."},
	{"corporate-it", "Corporate IT", "", "Shared platforms: identity, observability, build and release, data, workplace tools."},
}

// team is keyed by its slug. Other sources know it as @acme/<slug>
// (CODEOWNERS), acme/<slug> (GitHub API), group:<slug> (catalog-info.yaml)
// and github.com/acme/team/<slug>: those are its aliases.
type team struct {
	slug, name string
	parent     string // team this one is MEMBER_OF ("" for a top-level team)
	bu         string // business unit the team's engineering answers to (top-level teams only)
	desc       string
}

var teams = []team{
	{"platform", "Platform", "", "corporate-it", "Shared platforms every product team builds on."},
	{"platform-sre", "Platform SRE", "platform", "", "Runs production: on-call, observability, CI runners, the AWS landing zone."},
	{"platform-identity", "Identity", "platform", "", "Login, single sign-on and customer identity."},
	{"data-platform", "Data Platform", "platform", "", "Data lake and warehouse loading."},
	{"payments", "Payments", "", "payments", "Everything that moves money."},
	{"payments-core", "Payments Core", "payments", "", "Payments API, card tokenisation, ledger, settlement and payouts."},
	{"payments-fraud", "Fraud Prevention", "payments", "", "Real-time fraud scoring and rules."},
	{"commerce", "Commerce", "", "digital-commerce", "The online store, end to end."},
	{"checkout", "Checkout", "commerce", "", "Cart, pricing, checkout and orders."},
	{"storefront", "Storefront", "commerce", "", "The shop front end, product catalogue and rewards."},
	{"banking", "Banking", "", "retail-banking", "Digital channels and core systems for personal banking."},
	{"daily-banking", "Daily Banking", "banking", "", "Online and mobile banking, current accounts, statements, notifications."},
	{"lending", "Lending", "banking", "", "Loan origination and credit decisioning."},
	{"marketing-web", "Marketing Web", "", "", "The marketing website and campaign landing pages."},
	{"workplace", "Workplace IT", "", "corporate-it", "Intranet, service desk and employee tools."},
	{"security", "Security Engineering", "", "corporate-it", "Application and cloud security."},
}

// person is keyed by e-mail address; login is the GitHub login.
type person struct {
	email, name, login, title string
	teams                     []string // slugs; empty for someone who left
}

var people = []person{
	{"maria.gonzalez@acme.example", "Maria Gonzalez", "mgonzalez", "Head of Platform", []string{"platform"}},
	{"tom.becker@acme.example", "Tom Becker", "tbecker", "SRE Lead", []string{"platform-sre"}},
	{"aisha.khan@acme.example", "Aisha Khan", "akhan", "Site Reliability Engineer", []string{"platform-sre"}},
	{"lars.nilsson@acme.example", "Lars Nilsson", "lnilsson", "Site Reliability Engineer", []string{"platform-sre"}},
	{"chen.wei@acme.example", "Chen Wei", "cwei", "Staff Engineer, Identity", []string{"platform-identity"}},
	{"fatima.alsayed@acme.example", "Fatima Al-Sayed", "falsayed", "Software Engineer", []string{"platform-identity"}},
	{"jonas.weber@acme.example", "Jonas Weber", "jweber", "Data Engineer", []string{"data-platform"}},
	{"priya.shah@acme.example", "Priya Shah", "pshah", "Head of Payments", []string{"payments"}},
	{"marco.rossi@acme.example", "Marco Rossi", "mrossi", "Tech Lead, Payments Core", []string{"payments-core"}},
	{"emma.clarke@acme.example", "Emma Clarke", "eclarke", "Senior Software Engineer", []string{"payments-core"}},
	{"kenji.sato@acme.example", "Kenji Sato", "ksato", "Software Engineer", []string{"payments-core"}},
	{"olivia.brown@acme.example", "Olivia Brown", "obrown", "Software Engineer", []string{"payments-core"}},
	{"nadia.petrova@acme.example", "Nadia Petrova", "npetrova", "Tech Lead, Fraud Prevention", []string{"payments-fraud"}},
	{"samuel.osei@acme.example", "Samuel Osei", "sosei", "Data Scientist", []string{"payments-fraud"}},
	{"laura.martin@acme.example", "Laura Martin", "lmartin", "Head of Digital Commerce", []string{"commerce"}},
	{"ben.carter@acme.example", "Ben Carter", "bcarter", "Tech Lead, Checkout", []string{"checkout"}},
	{"sofia.silva@acme.example", "Sofia Silva", "ssilva", "Software Engineer", []string{"checkout"}},
	{"ravi.patel@acme.example", "Ravi Patel", "rpatel", "Software Engineer", []string{"checkout"}},
	{"hannah.schmidt@acme.example", "Hannah Schmidt", "hschmidt", "Tech Lead, Storefront", []string{"storefront"}},
	{"lucas.moreau@acme.example", "Lucas Moreau", "lmoreau", "Frontend Engineer", []string{"storefront"}},
	{"julia.novak@acme.example", "Julia Novak", "jnovak", "Frontend Engineer", []string{"storefront", "marketing-web"}},
	{"grace.lee@acme.example", "Grace Lee", "glee", "Head of Digital Banking", []string{"banking", "daily-banking"}},
	{"omar.haddad@acme.example", "Omar Haddad", "ohaddad", "Senior Software Engineer", []string{"daily-banking"}},
	{"eva.lindqvist@acme.example", "Eva Lindqvist", "elindqvist", "Mobile Engineer", []string{"daily-banking"}},
	{"peter.kowalski@acme.example", "Peter Kowalski", "pkowalski", "Tech Lead, Lending", []string{"lending"}},
	{"anna.fischer@acme.example", "Anna Fischer", "afischer", "Software Engineer", []string{"lending"}},
	{"chloe.dubois@acme.example", "Chloe Dubois", "cdubois", "Web Producer", []string{"marketing-web"}},
	{"mike.johnson@acme.example", "Mike Johnson", "mjohnson", "Workplace Engineer", []string{"workplace"}},
	{"yusuf.demir@acme.example", "Yusuf Demir", "ydemir", "Security Engineer", []string{"security"}},
	{"nina.berg@acme.example", "Nina Berg", "nberg", "Cloud Security Engineer", []string{"security"}},
	// Left the company: removed from every team, still named as the owner of
	// the FX rates poller and its repository.
	{"dave.okafor@acme.example", "Dave Okafor", "dokafor", "Senior Software Engineer", nil},
}
