// Package arn names AWS resources from their ARNs the way CloudFormation and
// AWS Config do, so every source that sees an ARN (the AWS APIs, Terraform
// state) gives the same node the same type, name, region and account.
package arn

import "strings"

// ComputeTypes are the resource types an application runs on; an
// application tag on any other type makes the application depend on it.
var ComputeTypes = map[string]bool{
	"AWS::EC2::Instance":                        true,
	"AWS::Lambda::Function":                     true,
	"AWS::ECS::Service":                         true,
	"AWS::ECS::Cluster":                         true,
	"AWS::EKS::Cluster":                         true,
	"AWS::ElasticLoadBalancingV2::LoadBalancer": true,
	"AWS::ElasticBeanstalk::Environment":        true,
}

// arnParts splits arn:partition:service:region:account:resource.
func arnParts(arn string) (service, region, account, res string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return "", "", "", "", false
	}
	return p[2], p[3], p[4], p[5], true
}

// Region returns the region of an ARN ("" for global resources).
func Region(arn string) string {
	_, region, _, _, _ := arnParts(arn)
	return region
}

// Account returns the account id of an ARN ("" when it has none, as S3 buckets).
func Account(arn string) string {
	_, _, account, _, _ := arnParts(arn)
	return account
}

// Valid reports whether s looks like an ARN.
func Valid(s string) bool {
	_, _, _, _, ok := arnParts(s)
	return ok
}

// serviceNames are CloudFormation's spellings of ARN service names.
var serviceNames = map[string]string{
	"ec2": "EC2", "s3": "S3", "lambda": "Lambda", "ecs": "ECS", "eks": "EKS", "rds": "RDS",
	"dynamodb": "DynamoDB", "sqs": "SQS", "sns": "SNS", "iam": "IAM", "kms": "KMS",
	"elasticloadbalancing": "ElasticLoadBalancingV2", "logs": "Logs", "secretsmanager": "SecretsManager",
	"ssm": "SSM", "cloudfront": "CloudFront", "elasticache": "ElastiCache", "es": "OpenSearchService",
	"kinesis": "Kinesis", "firehose": "KinesisFirehose", "apigateway": "ApiGateway", "events": "Events",
	"states": "StepFunctions", "ecr": "ECR", "elasticfilesystem": "EFS", "acm": "CertificateManager",
	"cloudwatch": "CloudWatch", "route53": "Route53", "glue": "Glue", "kafka": "MSK", "backup": "Backup",
	"sagemaker": "SageMaker", "athena": "Athena", "cloudformation": "CloudFormation",
}

// resourceNames are CloudFormation's spellings of ARN resource types where
// title-casing the ARN's own spelling does not give them.
var resourceNames = map[string]string{
	"ec2/vpc": "VPC", "ec2/security-group": "SecurityGroup", "ec2/network-interface": "NetworkInterface",
	"ec2/natgateway": "NatGateway", "ec2/internet-gateway": "InternetGateway", "ec2/elastic-ip": "EIP",
	"rds/db": "DBInstance", "rds/cluster": "DBCluster", "rds/subgrp": "DBSubnetGroup",
	"elasticloadbalancing/targetgroup": "TargetGroup", "logs/log-group": "LogGroup",
	"elasticache/cluster": "CacheCluster", "es/domain": "Domain", "kms/key": "Key",
	"secretsmanager/secret": "Secret", "ssm/parameter": "Parameter", "ecs/task-definition": "TaskDefinition",
	"states/stateMachine": "StateMachine", "elasticfilesystem/file-system": "FileSystem",
}

// Type names an ARN's resource type the way CloudFormation and AWS
// Config do: AWS::EC2::Instance, AWS::S3::Bucket, …
func Type(arn string) string {
	service, _, _, res, ok := arnParts(arn)
	if !ok {
		return "AWS::Unknown"
	}
	switch service {
	case "s3":
		if !strings.Contains(res, "/") {
			return "AWS::S3::Bucket"
		}
		return "AWS::S3::Object"
	case "sqs":
		return "AWS::SQS::Queue"
	case "sns":
		if strings.Contains(res, ":") {
			return "AWS::SNS::Subscription"
		}
		return "AWS::SNS::Topic"
	case "elasticloadbalancing":
		if strings.HasPrefix(res, "loadbalancer/app/") || strings.HasPrefix(res, "loadbalancer/net/") || strings.HasPrefix(res, "loadbalancer/gwy/") {
			return "AWS::ElasticLoadBalancingV2::LoadBalancer"
		}
		if strings.HasPrefix(res, "loadbalancer/") {
			return "AWS::ElasticLoadBalancing::LoadBalancer"
		}
	}
	svc := serviceNames[service]
	if svc == "" {
		svc = title(service)
	}
	typ := res
	if i := strings.IndexAny(res, "/:"); i >= 0 {
		typ = res[:i]
	} else {
		return "AWS::" + svc
	}
	if n := resourceNames[service+"/"+typ]; n != "" {
		return "AWS::" + svc + "::" + n
	}
	return "AWS::" + svc + "::" + title(typ)
}

// title turns "security-group" into "SecurityGroup".
func title(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '-' || r == '_' || r == '.':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Name is a readable name for a resource known only by its ARN.
func Name(arn string) string {
	service, _, _, res, ok := arnParts(arn)
	if !ok {
		return arn
	}
	if service == "elasticloadbalancing" {
		// loadbalancer/app/<name>/<id>, targetgroup/<name>/<id>
		p := strings.Split(res, "/")
		switch {
		case len(p) == 4:
			return p[2]
		case len(p) == 3:
			return p[1]
		}
	}
	if i := strings.LastIndexAny(res, "/:"); i >= 0 {
		return res[i+1:]
	}
	return res
}
