package main

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/azure"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
	"github.com/estate-cmdb/estate/ingest/gcp"
	"github.com/estate-cmdb/estate/ingest/sources"
	"github.com/estate-cmdb/estate/ingest/terraform"
)

// cloudIngestCommands are the cloud sources: aws, terraform, azure and gcp.
func (a *app) cloudIngestCommands(opts *ingest.Options) []*cobra.Command {
	var rulesFile string
	rules := func() (cloudtags.Rules, error) {
		var r cloudtags.Rules
		if rulesFile == "" {
			return r, nil
		}
		b, err := os.ReadFile(rulesFile)
		if err != nil {
			return r, usageError("--tag-rules: %v", err)
		}
		// Strict: a misspelt key would otherwise silently fall back to the defaults.
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
			return r, usageError("--tag-rules %s: %v", rulesFile, err)
		}
		return r, r.Validate()
	}
	addRules := func(c *cobra.Command) {
		c.Flags().StringVar(&rulesFile, "tag-rules", "", "YAML file naming the tag keys for team, application, service, repository, environment, costCentre and the value prefixes to strip (default: common conventions)")
	}

	aws := sources.Types["aws"]().(*sources.AWS)
	awsCmd := &cobra.Command{
		Use:   "aws",
		Short: "Inventory AWS accounts: resources, tags, and their links to teams and applications",
		Long: `Read the caller's AWS account (default credential chain, or --aws-profile), member
accounts entered by assume-role (--aws-assume-role, --aws-organization), in every
enabled region or --aws-region, through the Resource Groups Tagging API and the
EC2, S3, Lambda, ECS, EKS, RDS, DynamoDB, SQS, SNS, ELBv2 and IAM APIs. Tags naming
a team, application or repository the CMDB knows link the resource to it; other
tag values stay labels. Credentials are never logged or stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := rules()
			if err != nil {
				return err
			}
			aws.Tags = r
			return a.ingestFrom(cmd.Context(), aws, *opts)
		},
	}
	f := awsCmd.Flags()
	f.StringVar(&aws.Name, "aws-name", "", `source name (default "aws:" + profile, or "aws:default")`)
	f.StringSliceVar(&aws.Regions, "aws-region", nil, "regions to read (repeatable or comma-separated; default every enabled region)")
	f.StringVar(&aws.Endpoint, "aws-endpoint", "", "endpoint URL for every AWS service (an emulator such as moto)")
	f.StringVar(&aws.Profile, "aws-profile", "", "named profile of the shared AWS config")
	f.StringSliceVar(&aws.AssumeRoles, "aws-assume-role", nil, "role ARN in a member account to read too (repeatable)")
	f.BoolVar(&aws.Organization, "aws-organization", false, "read every account AWS Organizations lists, through --aws-organization-role")
	f.StringVar(&aws.OrganizationRole, "aws-organization-role", aws.OrganizationRole, "role name entered in member accounts")
	f.StringSliceVar(&aws.Registered, "aws-registered", nil, "account ids registered with central IT (others are discovered-only)")
	f.StringSliceVar(&aws.Services, "aws-services", nil, "services to read (default all: tagging,ec2,s3,lambda,ecs,eks,rds,dynamodb,sqs,sns,elbv2,iam)")
	f.IntVar(&aws.MaxAttempts, "aws-max-attempts", aws.MaxAttempts, "attempts per call (throttling and transient errors back off exponentially)")
	addRules(awsCmd)

	tf := sources.Types["terraform"]().(*sources.Terraform)
	tfCmd := &cobra.Command{
		Use:   "terraform PATH...",
		Short: "Ingest Terraform state (format 4): resources, and the repository that DEFINES them",
		Long: `Read Terraform state files, directories of *.tfstate files, or state in an S3 backend:
s3://BUCKET/KEY reads that object and its workspaces' copies (env:/WORKSPACE/KEY),
s3://BUCKET/PREFIX/ every *.tfstate object under the prefix. S3 is read with the default
AWS credential chain (or --aws-profile), in the bucket's region; credentials are never
logged or stored. Only ids, ARNs, names, regions and tags are read from a state.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rules()
			if err != nil {
				return err
			}
			tf.Tags, tf.Paths = r, args
			return a.ingestFrom(cmd.Context(), tf, *opts)
		},
	}
	tfCmd.Flags().StringVar(&tf.Repository, "terraform-repository", "", "repository the state belongs to (e.g. github.com/acme/infra): it DEFINES every resource")
	tfCmd.Flags().StringVar(&tf.Name, "terraform-name", "", "source name suffix (default the repository, else the first path)")
	tfCmd.Flags().Int64Var(&tf.MaxFileSize, "terraform-max-file-size", terraform.MaxStateSize, "largest state file read, in bytes")
	tfCmd.Flags().StringVar(&tf.S3.Profile, "aws-profile", "", "named profile of the shared AWS config, for s3:// state")
	tfCmd.Flags().StringVar(&tf.S3.Region, "aws-region", "", "region asked first for an s3:// bucket's region (default the configured one, else us-east-1)")
	tfCmd.Flags().StringVar(&tf.S3.Endpoint, "aws-endpoint", "", "S3 endpoint URL for s3:// state (an emulator such as moto; path-style)")
	addRules(tfCmd)

	az := sources.Types["azure"]().(*sources.Azure)
	azCmd := &cobra.Command{
		Use:   "azure",
		Short: "Inventory Azure subscriptions through Azure Resource Graph",
		Long: `List every resource of the subscriptions the identity can see (or --azure-subscription)
through Azure Resource Graph. The identity is Azure's default credential chain
(environment: AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or a certificate, workload or
managed identity, az login, azd), or the bearer token in AZURE_ACCESS_TOKEN, e.g.
  export AZURE_ACCESS_TOKEN="$(az account get-access-token --query accessToken -o tsv)"
Secrets and tokens are never logged or stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := rules()
			if err != nil {
				return err
			}
			az.Tags = r
			return a.ingestFrom(cmd.Context(), az, *opts)
		},
	}
	azCmd.Flags().StringVar(&az.Name, "azure-name", "", `source name (default "azure:default")`)
	azCmd.Flags().StringSliceVar(&az.Subscriptions, "azure-subscription", nil, "subscription ids to read (default all visible)")
	azCmd.Flags().StringSliceVar(&az.Registered, "azure-registered", nil, "subscription ids registered with central IT")
	azCmd.Flags().StringVar(&az.Endpoint, "azure-endpoint", azure.DefaultEndpoint, "Azure Resource Manager endpoint")
	addRules(azCmd)

	gc := sources.Types["gcp"]().(*sources.GCP)
	gcpCmd := &cobra.Command{
		Use:   "gcp [EXPORT...]",
		Short: "Inventory Google Cloud through Cloud Asset Inventory: searchAllResources, or resource exports",
		Long: `Search every resource of organizations, folders or projects (--gcp-scope) with Cloud Asset
Inventory's searchAllResources, and/or read resource exports (gcloud asset export
--content-type=resource) from files or https URLs (e.g. https://storage.googleapis.com/BUCKET/OBJECT).
Requests carry the bearer token in GOOGLE_OAUTH_ACCESS_TOKEN (e.g. from gcloud auth
print-access-token), else Application Default Credentials. Tokens are never logged or stored.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rules()
			if err != nil {
				return err
			}
			gc.Tags, gc.Exports = r, args
			return a.ingestFrom(cmd.Context(), gc, *opts)
		},
	}
	gcpCmd.Flags().StringSliceVar(&gc.Scopes, "gcp-scope", nil, "organizations/NUMBER, folders/NUMBER or projects/ID to search (repeatable)")
	gcpCmd.Flags().StringVar(&gc.Endpoint, "gcp-endpoint", gcp.DefaultEndpoint, "Cloud Asset API endpoint")
	gcpCmd.Flags().StringVar(&gc.Name, "gcp-name", "", `source name (default "gcp:default")`)
	gcpCmd.Flags().StringSliceVar(&gc.Registered, "gcp-registered", nil, "project ids registered with central IT")
	addRules(gcpCmd)
	return []*cobra.Command{awsCmd, tfCmd, azCmd, gcpCmd}
}

// resolving is a source that looks names up in the CMDB it writes to.
type resolving interface {
	ingest.Source
	SetResolver(cloudtags.Resolver)
}
