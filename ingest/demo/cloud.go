package demo

// The cloud: two AWS accounts and the resources in them.

type account struct {
	key, name   string
	registered  bool
	environment string
	tags        string
	desc        string
}

var accounts = []account{
	{RegisteredAccount, "acme-prod", true, "prod", "owner=platform-sre cost-center=cc-1000", "Production workloads; registered with central IT."},
	// Opened on a corporate card by the growth team; central IT has never
	// heard of it.
	{ShadowAccount, "marketing-experiments", false, "prod", "team=growth-hackers", ""},
}

// Resource types, as AWS CloudFormation and AWS Config name them.
const (
	ec2Instance    = "AWS::EC2::Instance"
	loadBalancer   = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	rdsInstance    = "AWS::RDS::DBInstance"
	sqsQueue       = "AWS::SQS::Queue"
	dynamoTable    = "AWS::DynamoDB::Table"
	lambdaFunction = "AWS::Lambda::Function"
	s3Bucket       = "AWS::S3::Bucket"
	openSearch     = "AWS::OpenSearchService::Domain"
)

// compute are the resource types an application runs on; an application
// tagged on any other type depends on it.
var compute = map[string]bool{ec2Instance: true, loadBalancer: true, lambdaFunction: true}

// resource is one cloud resource, keyed by its ARN.
type resource struct {
	arn    string
	name   string
	typ    string
	region string
	// tags are the resource's tags, "key=value" separated by spaces. An
	// `app` tag naming an application links it (RUNS_ON for compute,
	// DEPENDS_ON otherwise); a `team` tag naming a team makes the team its
	// owner. Tags naming nothing known link nothing.
	tags      string
	hostnames []string
	// iac is "<repo> <terraform address>" when a Terraform state in that
	// repository's backend has the resource: the repository DEFINES it.
	iac string
}

// terraformState is where each infrastructure repository keeps its state.
var terraformState = map[string]string{
	"infra-live":     "s3://acme-terraform-state/infra-live/prod.tfstate",
	"payments-infra": "s3://acme-pci-terraform-state/payments-infra/prod.tfstate",
}

// prodResources are in RegisteredAccount.
var prodResources = []resource{
	// Payments: defined in github.com/acme/payments-infra
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-09a926c108afa119d", "payments-api-1", ec2Instance, "eu-west-1", "app=payments-api team=payments-core env=prod", nil, "payments-infra aws_instance.payments_api[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-02dbc2cf1842e8532", "payments-api-2", ec2Instance, "eu-west-1", "app=payments-api team=payments-core env=prod", nil, "payments-infra aws_instance.payments_api[1]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-08a764ddba6616771", "payments-api-3", ec2Instance, "eu-west-1", "app=payments-api team=payments-core env=prod", nil, "payments-infra aws_instance.payments_api[2]"},
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/payments-api-alb/41742a63e9883837", "payments-api-alb", loadBalancer, "eu-west-1", "app=payments-api team=payments-core env=prod", []string{"payments-api-alb-3736749792.eu-west-1.elb.amazonaws.com"}, "payments-infra aws_lb.payments_api"},
	{"arn:aws:rds:eu-west-1:111122223333:db:payments-db", "payments-db", rdsInstance, "eu-west-1", "app=payments-api team=payments-core env=prod data-class=pci", []string{"payments-db.c6e8a48baf9d.eu-west-1.rds.amazonaws.com"}, "payments-infra aws_db_instance.payments"},
	{"arn:aws:sqs:eu-west-1:111122223333:payments-events", "payments-events", sqsQueue, "eu-west-1", "app=payments-api team=payments-core env=prod", nil, "payments-infra aws_sqs_queue.payments_events"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0da2949247ee269ae", "card-tokenizer-1", ec2Instance, "eu-west-1", "app=card-tokenizer team=payments-core env=prod data-class=pci", nil, "payments-infra aws_instance.tokenizer[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0a7e16a1fdcec9481", "card-tokenizer-2", ec2Instance, "eu-west-1", "app=card-tokenizer team=payments-core env=prod data-class=pci", nil, "payments-infra aws_instance.tokenizer[1]"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/token-vault", "token-vault", dynamoTable, "eu-west-1", "app=card-tokenizer team=payments-core env=prod data-class=pci", nil, "payments-infra aws_dynamodb_table.token_vault"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0104e38e80c289840", "psp-adapter-1", ec2Instance, "eu-west-1", "app=psp-adapter env=prod", nil, "payments-infra aws_instance.psp_adapter"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:settlement-batch", "settlement-batch", lambdaFunction, "eu-west-1", "app=settlement-batch team=payments-core env=prod", nil, "payments-infra aws_lambda_function.settlement"},
	{"arn:aws:s3:::acme-settlement-files", "acme-settlement-files", s3Bucket, "eu-west-1", "app=settlement-batch team=payments-core env=prod", nil, "payments-infra aws_s3_bucket.settlement_files"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-087e751e18cda608e", "ledger-service-1", ec2Instance, "eu-west-1", "app=ledger-service team=payments-core env=prod", nil, "payments-infra aws_instance.ledger[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0e621532902161b29", "ledger-service-2", ec2Instance, "eu-west-1", "app=ledger-service team=payments-core env=prod", nil, "payments-infra aws_instance.ledger[1]"},
	{"arn:aws:rds:eu-west-1:111122223333:db:ledger-db", "ledger-db", rdsInstance, "eu-west-1", "app=ledger-service team=payments-core env=prod", []string{"ledger-db.c9c0a0e69c85.eu-west-1.rds.amazonaws.com"}, "payments-infra aws_db_instance.ledger"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:ledger-reconciliation", "ledger-reconciliation", lambdaFunction, "eu-west-1", "app=ledger-reconciliation env=prod", nil, "payments-infra aws_lambda_function.reconciliation"},
	{"arn:aws:s3:::acme-ledger-exports", "acme-ledger-exports", s3Bucket, "eu-west-1", "app=ledger-reconciliation team=payments-core env=prod", nil, "payments-infra aws_s3_bucket.ledger_exports"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0d4fee23901608f0e", "fraud-scoring-1", ec2Instance, "eu-west-1", "app=fraud-scoring team=payments-fraud env=prod", nil, "payments-infra aws_instance.fraud_scoring[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-06bafdfe4d356c716", "fraud-scoring-2", ec2Instance, "eu-west-1", "app=fraud-scoring team=payments-fraud env=prod", nil, "payments-infra aws_instance.fraud_scoring[1]"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/fraud-features", "fraud-features", dynamoTable, "eu-west-1", "app=fraud-scoring team=payments-fraud env=prod", nil, "payments-infra aws_dynamodb_table.fraud_features"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:fraud-rules-engine", "fraud-rules-engine", lambdaFunction, "eu-west-1", "app=fraud-rules-engine team=payments-fraud env=prod", nil, "payments-infra aws_lambda_function.fraud_rules"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:payouts-api", "payouts-api", lambdaFunction, "eu-west-1", "app=payouts-api team=payments-core env=prod", nil, "payments-infra aws_lambda_function.payouts_api"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/payouts", "payouts", dynamoTable, "eu-west-1", "app=payouts-api team=payments-core env=prod", nil, "payments-infra aws_dynamodb_table.payouts"},
	{"arn:aws:sqs:eu-west-1:111122223333:payouts-dlq", "payouts-dlq", sqsQueue, "eu-west-1", "app=payouts-api env=prod", nil, "payments-infra aws_sqs_queue.payouts_dlq"},
	// Digital commerce: defined in github.com/acme/infra-live
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/checkout-alb/5427e3af63dfcd87", "checkout-alb", loadBalancer, "eu-west-1", "app=checkout-api team=Checkout env=prod", []string{"checkout-alb-4804447879.eu-west-1.elb.amazonaws.com"}, "infra-live module.checkout.aws_lb.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0aff86f636c828d7e", "checkout-api-1", ec2Instance, "eu-west-1", "app=checkout-api team=checkout env=prod", nil, "infra-live module.checkout.aws_instance.api[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-01eb39e9c6bb7f135", "checkout-api-2", ec2Instance, "eu-west-1", "app=checkout-api team=checkout env=prod", nil, "infra-live module.checkout.aws_instance.api[1]"},
	{"arn:aws:sqs:eu-west-1:111122223333:checkout-orders", "checkout-orders", sqsQueue, "eu-west-1", "app=checkout-api team=checkout env=prod", nil, "infra-live module.checkout.aws_sqs_queue.orders"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0beb97c00576852d1", "cart-service-1", ec2Instance, "eu-west-1", "app=cart-service team=checkout env=prod", nil, "infra-live module.cart.aws_instance.this"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/carts", "carts", dynamoTable, "eu-west-1", "app=cart-service team=checkout env=prod", nil, "infra-live module.cart.aws_dynamodb_table.carts"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:pricing-service", "pricing-service", lambdaFunction, "eu-west-1", "app=pricing-service team=checkout env=prod", nil, "infra-live module.pricing.aws_lambda_function.this"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/prices", "prices", dynamoTable, "eu-west-1", "app=pricing-service team=checkout env=prod", nil, "infra-live module.pricing.aws_dynamodb_table.prices"},
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/storefront-alb/ca1c4a8ade2c6355", "storefront-alb", loadBalancer, "eu-west-1", "app=storefront team=storefront env=prod", []string{"storefront-alb-1153847050.eu-west-1.elb.amazonaws.com"}, "infra-live module.storefront.aws_lb.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0136580b0d677c1c3", "storefront-web-1", ec2Instance, "eu-west-1", "app=storefront team=storefront env=prod", nil, "infra-live module.storefront.aws_instance.web[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-09af215aac8addd4b", "storefront-web-2", ec2Instance, "eu-west-1", "app=storefront team=storefront env=prod", nil, "infra-live module.storefront.aws_instance.web[1]"},
	{"arn:aws:s3:::acme-storefront-assets", "acme-storefront-assets", s3Bucket, "eu-west-1", "app=storefront team=storefront env=prod", nil, "infra-live module.storefront.aws_s3_bucket.assets"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-00eb67a45701734d4", "catalog-api-1", ec2Instance, "eu-west-1", "app=product-catalog-api team=storefront env=prod", nil, "infra-live module.catalog.aws_instance.api[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b2bbe350c0a58e97", "catalog-api-2", ec2Instance, "eu-west-1", "app=product-catalog-api team=storefront env=prod", nil, "infra-live module.catalog.aws_instance.api[1]"},
	{"arn:aws:rds:eu-west-1:111122223333:db:catalog-db", "catalog-db", rdsInstance, "eu-west-1", "app=product-catalog-api env=prod", []string{"catalog-db.cd49a03e8b75.eu-west-1.rds.amazonaws.com"}, "infra-live module.catalog.aws_db_instance.this"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:search-indexer", "search-indexer", lambdaFunction, "eu-west-1", "app=search-indexer team=storefront env=prod", nil, "infra-live module.search.aws_lambda_function.indexer"},
	{"arn:aws:es:eu-west-1:111122223333:domain/catalog-search", "catalog-search", openSearch, "eu-west-1", "app=search-indexer team=storefront env=prod", nil, "infra-live module.search.aws_opensearch_domain.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0156b1897a4bb9918", "order-service-1", ec2Instance, "eu-west-1", "app=order-service team=checkout env=prod", nil, "infra-live module.orders.aws_instance.api[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-079e721538a4e2073", "order-service-2", ec2Instance, "eu-west-1", "app=order-service team=checkout env=prod", nil, "infra-live module.orders.aws_instance.api[1]"},
	{"arn:aws:rds:eu-west-1:111122223333:db:orders-db", "orders-db", rdsInstance, "eu-west-1", "app=order-service team=checkout env=prod", []string{"orders-db.c013242ae1c3.eu-west-1.rds.amazonaws.com"}, "infra-live module.orders.aws_db_instance.this"},
	{"arn:aws:sqs:eu-west-1:111122223333:order-events", "order-events", sqsQueue, "eu-west-1", "app=order-service env=prod", nil, "infra-live module.orders.aws_sqs_queue.events"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:order-export", "order-export", lambdaFunction, "eu-west-1", "app=order-export team=checkout env=prod", nil, "infra-live module.orders.aws_lambda_function.export"},
	{"arn:aws:s3:::acme-order-exports", "acme-order-exports", s3Bucket, "eu-west-1", "app=order-export env=prod", nil, "infra-live module.orders.aws_s3_bucket.exports"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:loyalty-api", "loyalty-api", lambdaFunction, "eu-west-1", "app=loyalty-api team=storefront env=prod", nil, "infra-live module.loyalty.aws_lambda_function.api"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/loyalty-points", "loyalty-points", dynamoTable, "eu-west-1", "app=loyalty-api team=storefront env=prod", nil, "infra-live module.loyalty.aws_dynamodb_table.points"},
	{"arn:aws:s3:::acme-www-marketing", "acme-www-marketing", s3Bucket, "eu-west-1", "app=marketing-site team=marketing-web env=prod", nil, "infra-live module.marketing_site.aws_s3_bucket.site"},
	// Retail banking: defined in github.com/acme/infra-live
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/online-banking-alb/4f6ee33bb14b780c", "online-banking-alb", loadBalancer, "eu-west-1", "app=online-banking-web team=daily-banking env=prod", []string{"online-banking-alb-4534831476.eu-west-1.elb.amazonaws.com"}, "infra-live module.netbank.aws_lb.web"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0a235d35193c98a77", "online-banking-web-1", ec2Instance, "eu-west-1", "app=online-banking-web team=daily-banking env=prod", nil, "infra-live module.netbank.aws_instance.web[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-036f4c8b288764015", "online-banking-web-2", ec2Instance, "eu-west-1", "app=online-banking-web team=daily-banking env=prod", nil, "infra-live module.netbank.aws_instance.web[1]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-00822e2400deaacfc", "online-banking-bff-1", ec2Instance, "eu-west-1", "app=online-banking-bff team=daily-banking env=prod", nil, "infra-live module.netbank.aws_instance.bff[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0faf8e7c683a843ff", "online-banking-bff-2", ec2Instance, "eu-west-1", "app=online-banking-bff team=daily-banking env=prod", nil, "infra-live module.netbank.aws_instance.bff[1]"},
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/mobile-api-alb/cce310550a25cc57", "mobile-api-alb", loadBalancer, "eu-west-1", "app=mobile-banking-api team=daily-banking env=prod", []string{"mobile-api-alb-1169697809.eu-west-1.elb.amazonaws.com"}, "infra-live module.mobile_api.aws_lb.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0db04d8c31fa1c007", "mobile-banking-api-1", ec2Instance, "eu-west-1", "app=mobile-banking-api env=prod", nil, "infra-live module.mobile_api.aws_instance.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0db29c2387012c26f", "accounts-core-1", ec2Instance, "eu-west-1", "app=accounts-core team=daily-banking env=prod", nil, "infra-live module.accounts.aws_instance.core[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0690eca0e3443b71b", "accounts-core-2", ec2Instance, "eu-west-1", "app=accounts-core team=daily-banking env=prod", nil, "infra-live module.accounts.aws_instance.core[1]"},
	{"arn:aws:rds:eu-west-1:111122223333:db:accounts-db", "accounts-db", rdsInstance, "eu-west-1", "app=accounts-core team=daily-banking env=prod data-class=confidential", []string{"accounts-db.cc17fbff24ff.eu-west-1.rds.amazonaws.com"}, "infra-live module.accounts.aws_db_instance.this"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:statements-batch", "statements-batch", lambdaFunction, "eu-west-1", "app=statements-batch env=prod", nil, "infra-live module.accounts.aws_lambda_function.statements"},
	{"arn:aws:s3:::acme-statements", "acme-statements", s3Bucket, "eu-west-1", "app=statements-batch team=daily-banking env=prod data-class=confidential", nil, "infra-live module.accounts.aws_s3_bucket.statements"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-01847202ef4ab49f4", "loan-origination-1", ec2Instance, "eu-west-1", "app=loan-origination team=lending env=prod", nil, "infra-live module.loans.aws_instance.origination"},
	{"arn:aws:rds:eu-west-1:111122223333:db:loans-db", "loans-db", rdsInstance, "eu-west-1", "app=loan-origination team=lending env=prod", []string{"loans-db.c6684079c8fe.eu-west-1.rds.amazonaws.com"}, "infra-live module.loans.aws_db_instance.this"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:credit-decisioning", "credit-decisioning", lambdaFunction, "eu-west-1", "app=credit-decisioning team=lending env=prod", nil, "infra-live module.loans.aws_lambda_function.decisioning"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0989b7e838b9d0007", "notification-service-1", ec2Instance, "eu-west-1", "app=notification-service env=prod", nil, "infra-live module.notifications.aws_instance.this"},
	{"arn:aws:sqs:eu-west-1:111122223333:notifications", "notifications", sqsQueue, "eu-west-1", "app=notification-service env=prod", nil, "infra-live module.notifications.aws_sqs_queue.outbox"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:sms-gateway", "sms-gateway", lambdaFunction, "eu-west-1", "app=sms-gateway env=prod", nil, "infra-live module.notifications.aws_lambda_function.sms"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-07968659e66ae4494", "doc-archive-1", ec2Instance, "eu-west-1", "app=doc-archive env=prod", nil, ""},
	{"arn:aws:s3:::acme-document-archive", "acme-document-archive", s3Bucket, "eu-west-1", "app=doc-archive env=prod", nil, ""},
	// Corporate IT platforms: defined in github.com/acme/infra-live
	{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/auth-alb/4e2d5daff1e7eb3e", "auth-alb", loadBalancer, "eu-west-1", "app=auth-service team=platform-identity env=prod", []string{"auth-alb-4463129749.eu-west-1.elb.amazonaws.com"}, "infra-live module.auth.aws_lb.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-09c4f1e10231111c3", "auth-service-1", ec2Instance, "eu-west-1", "app=auth-service team=platform-identity env=prod", nil, "infra-live module.auth.aws_instance.this[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0eda9534ee442fc19", "auth-service-2", ec2Instance, "eu-west-1", "app=auth-service team=platform-identity env=prod", nil, "infra-live module.auth.aws_instance.this[1]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-012fd8af1040b5eba", "auth-service-3", ec2Instance, "eu-west-1", "app=auth-service team=platform-identity env=prod", nil, "infra-live module.auth.aws_instance.this[2]"},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/auth-sessions", "auth-sessions", dynamoTable, "eu-west-1", "app=auth-service env=prod", nil, "infra-live module.auth.aws_dynamodb_table.sessions"},
	{"arn:aws:rds:eu-west-1:111122223333:db:identity-db", "identity-db", rdsInstance, "eu-west-1", "app=auth-service team=platform-identity env=prod data-class=confidential", []string{"identity-db.ca9a32c82f11.eu-west-1.rds.amazonaws.com"}, "infra-live module.auth.aws_db_instance.this"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-00fb434df6c4ed7ec", "grafana-1", ec2Instance, "eu-west-1", "app=grafana team=platform-sre env=prod", nil, "infra-live module.observability.aws_instance.grafana"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:log-shipper", "log-shipper", lambdaFunction, "eu-west-1", "app=log-pipeline team=platform-sre env=prod", nil, "infra-live module.observability.aws_lambda_function.shipper"},
	{"arn:aws:s3:::acme-central-logs", "acme-central-logs", s3Bucket, "eu-west-1", "app=log-pipeline team=platform-sre env=prod", nil, "infra-live module.observability.aws_s3_bucket.logs"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0756fdbb93ac52ab6", "ci-runner-1", ec2Instance, "eu-west-1", "app=ci-runners team=platform-sre env=prod", nil, "infra-live module.ci.aws_instance.runner[0]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-05c3b4e70ad21a51a", "ci-runner-2", ec2Instance, "eu-west-1", "app=ci-runners team=platform-sre env=prod", nil, "infra-live module.ci.aws_instance.runner[1]"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-057232f344384a1bd", "artifact-registry-1", ec2Instance, "eu-west-1", "app=artifact-registry env=prod", nil, "infra-live module.ci.aws_instance.registry"},
	{"arn:aws:s3:::acme-artifacts", "acme-artifacts", s3Bucket, "eu-west-1", "app=artifact-registry team=platform-sre env=prod", nil, "infra-live module.ci.aws_s3_bucket.artifacts"},
	{"arn:aws:lambda:eu-west-1:111122223333:function:dwh-loader", "dwh-loader", lambdaFunction, "eu-west-1", "app=dwh-loader team=data-platform env=prod", nil, "infra-live module.dwh.aws_lambda_function.loader"},
	{"arn:aws:s3:::acme-datalake-raw", "acme-datalake-raw", s3Bucket, "eu-west-1", "app=dwh-loader team=data-platform env=prod", nil, "infra-live module.dwh.aws_s3_bucket.raw"},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-076056a6563669209", "intranet-1", ec2Instance, "eu-west-1", "app=intranet-portal team=workplace env=prod", nil, "infra-live module.intranet.aws_instance.this"},
	// Nobody's: clicked together in the console, tagged with nothing or with names that resolve to nothing.
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b29b3f8d101fb289", "temp-debug-box", ec2Instance, "eu-west-1", "env=dev", nil, ""},
	{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0b448a4b840b752fb", "bastion-legacy", ec2Instance, "eu-west-1", "", nil, ""},
	{"arn:aws:s3:::acme-tmp-exports-2021", "acme-tmp-exports-2021", s3Bucket, "eu-west-1", "", nil, ""},
	{"arn:aws:rds:eu-west-1:111122223333:db:reporting-replica-old", "reporting-replica-old", rdsInstance, "eu-west-1", "env=prod", []string{"reporting-replica-old.cea95a38ec13.eu-west-1.rds.amazonaws.com"}, ""},
	{"arn:aws:lambda:eu-west-1:111122223333:function:test-function-jk", "test-function-jk", lambdaFunction, "eu-west-1", "", nil, ""},
	{"arn:aws:sqs:eu-west-1:111122223333:legacy-dead-letter", "legacy-dead-letter", sqsQueue, "eu-west-1", "env=prod", nil, ""},
	{"arn:aws:ec2:us-east-1:111122223333:instance/i-04f06184fd1071522", "recs-trainer-1", ec2Instance, "us-east-1", "app=recommendation-engine team=data-science env=dev", nil, ""},
	{"arn:aws:s3:::acme-recs-models", "acme-recs-models", s3Bucket, "us-east-1", "app=recommendation-engine", nil, ""},
	{"arn:aws:dynamodb:eu-west-1:111122223333:table/feature-flags", "feature-flags", dynamoTable, "eu-west-1", "team=growth-hackers env=prod", nil, ""},
}

// shadowResources are in ShadowAccount: nothing defines them in code.
var shadowResources = []resource{
	{"arn:aws:ec2:us-east-1:444455556666:instance/i-0d245db78f8b20de1", "growth-scraper-1", ec2Instance, "us-east-1", "team=growth-hackers env=prod", nil, ""},
	{"arn:aws:ec2:us-east-1:444455556666:instance/i-02a885ba479382a27", "growth-scraper-2", ec2Instance, "us-east-1", "team=growth-hackers env=prod", nil, ""},
	{"arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/app/growth-tools-alb/e070480a61624ab3", "growth-tools-alb", loadBalancer, "us-east-1", "team=growth-hackers", []string{"growth-tools-alb-1281317891.us-east-1.elb.amazonaws.com"}, ""},
	{"arn:aws:lambda:us-east-1:444455556666:function:ab-test-assigner", "ab-test-assigner", lambdaFunction, "us-east-1", "app=ab-testing team=growth-hackers", nil, ""},
	{"arn:aws:dynamodb:us-east-1:444455556666:table/ab-test-assignments", "ab-test-assignments", dynamoTable, "us-east-1", "app=ab-testing team=growth-hackers", nil, ""},
	{"arn:aws:s3:::acme-growth-raw-clicks", "acme-growth-raw-clicks", s3Bucket, "us-east-1", "team=growth-hackers", nil, ""},
	{"arn:aws:rds:us-east-1:444455556666:db:growth-analytics", "growth-analytics", rdsInstance, "us-east-1", "team=growth-hackers", []string{"growth-analytics.c89da2d162af.us-east-1.rds.amazonaws.com"}, ""},
	{"arn:aws:ec2:us-east-1:444455556666:instance/i-02dbd2662d0e7f999", "jupyter-hub", ec2Instance, "us-east-1", "", nil, ""},
	{"arn:aws:s3:::acme-growth-landing-pages", "acme-growth-landing-pages", s3Bucket, "us-east-1", "app=promo-landing-pages team=marketing-web", nil, ""},
	{"arn:aws:lambda:us-east-1:444455556666:function:promo-signup-handler", "promo-signup-handler", lambdaFunction, "us-east-1", "app=promo-landing-pages team=marketing-web", nil, ""},
	{"arn:aws:sqs:us-east-1:444455556666:promo-signups", "promo-signups", sqsQueue, "us-east-1", "app=promo-landing-pages", nil, ""},
}
