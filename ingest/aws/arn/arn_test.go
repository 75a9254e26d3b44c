package arn

import "testing"

func TestTypeFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:ec2:us-east-1:123456789012:instance/i-1":                                  "AWS::EC2::Instance",
		"arn:aws:ec2:us-east-1:123456789012:security-group/sg-1":                           "AWS::EC2::SecurityGroup",
		"arn:aws:s3:::bucket":                                                              "AWS::S3::Bucket",
		"arn:aws:sqs:us-east-1:123456789012:q":                                             "AWS::SQS::Queue",
		"arn:aws:rds:us-east-1:123456789012:db:x":                                          "AWS::RDS::DBInstance",
		"arn:aws:lambda:us-east-1:123456789012:function:f":                                 "AWS::Lambda::Function",
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c4": "AWS::ElasticLoadBalancingV2::LoadBalancer",
		"arn:aws:dynamodb:us-east-1:123456789012:table/t":                                  "AWS::DynamoDB::Table",
		"arn:aws:kms:us-east-1:123456789012:key/abc":                                       "AWS::KMS::Key",
		"not-an-arn": "AWS::Unknown",
	} {
		if got := Type(arn); got != want {
			t.Errorf("Type(%s) = %s, want %s", arn, got, want)
		}
	}
	if got := Name("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c4"); got != "web" {
		t.Errorf("Name(alb) = %s", got)
	}
}
