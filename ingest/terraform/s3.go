package terraform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Config says how state in an S3 backend is read: the default AWS
// credential chain (or a named profile), in the bucket's own region.
type S3Config struct {
	// Profile is a named profile of the shared AWS config; empty means the
	// default credential chain.
	Profile string `yaml:"profile" json:"profile"`
	// Region is where the request for the bucket's region goes first
	// (default the configured region, else us-east-1); the bucket's own
	// region is then used.
	Region string `yaml:"region" json:"region"`
	// Endpoint replaces S3's endpoint (an emulator such as moto, a VPC
	// endpoint proxy); requests then use path-style addressing.
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// Credentials, if set, replaces the default chain (tests, embedding).
	Credentials aws.CredentialsProvider `yaml:"-" json:"-"`
}

// s3Location is a parsed s3://bucket/key-or-prefix.
type s3Location struct{ bucket, key string }

func (l s3Location) String() string { return "s3://" + l.bucket + "/" + l.key }

// isS3 reports whether a path names an S3 location.
func isS3(p string) bool { return strings.HasPrefix(p, "s3://") }

func parseS3(p string) (s3Location, error) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(p, "s3://"), "/")
	if !isS3(p) || !bucketRE.MatchString(bucket) {
		return s3Location{}, fmt.Errorf("%q is not an S3 location (s3://bucket/key-or-prefix)", p)
	}
	return s3Location{bucket: bucket, key: key}, nil
}

// bucketRE is S3's bucket naming rule (with the legacy upper case and
// underscores some old buckets have).
var bucketRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$`)

// s3Client returns a client for the bucket, in the bucket's region.
func (s *Source) s3Client(ctx context.Context, bucket string) (*s3.Client, error) {
	c := s.cfg.S3
	opts := []func(*config.LoadOptions) error{config.WithRetryMode(aws.RetryModeStandard)}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(c.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := func(region string) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.Region = region
			// Objects written without a checksum are normal; do not say so on stderr.
			o.DisableLogOutputChecksumValidationSkipped = true
			if c.Endpoint != "" {
				o.BaseEndpoint = aws.String(c.Endpoint)
				o.UsePathStyle = true
			}
		})
	}
	cl := client(cfg.Region)
	// HeadBucket answers with the bucket's region, even when it redirects.
	out, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	region := ""
	if err == nil {
		region = aws.ToString(out.BucketRegion)
	} else {
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.Response == nil {
			return nil, fmt.Errorf("bucket %q: %w", bucket, err)
		}
		switch re.Response.StatusCode {
		case http.StatusNotFound:
			return nil, fmt.Errorf("bucket %q does not exist", bucket)
		case http.StatusForbidden:
			return nil, fmt.Errorf("bucket %q: access denied (check the credentials and the bucket policy)", bucket)
		case http.StatusMovedPermanently, http.StatusBadRequest:
			region = re.Response.Header.Get("X-Amz-Bucket-Region")
		}
		if region == "" {
			return nil, fmt.Errorf("bucket %q: %w", bucket, err)
		}
	}
	if region != "" && region != cfg.Region {
		cl = client(region)
	}
	return cl, nil
}

// s3States lists the state objects an S3 location names: the object itself
// when the key names one, every *.tfstate object under the key as a prefix,
// and the workspaces' copies of the key (env:/<workspace>/<key>, the S3
// backend's layout for non-default workspaces).
func (s *Source) s3States(ctx context.Context, loc s3Location) ([]location, error) {
	cl, err := s.s3Client(ctx, loc.bucket)
	if err != nil {
		return nil, err
	}
	var keys []string
	list := func(prefix string, keep func(key string) bool) error {
		p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String(loc.bucket), Prefix: aws.String(prefix)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				var nb *s3types.NoSuchBucket
				if errors.As(err, &nb) {
					return fmt.Errorf("bucket %q does not exist", loc.bucket)
				}
				return fmt.Errorf("list objects under %q: %w", prefix, err)
			}
			for _, o := range page.Contents {
				if k := aws.ToString(o.Key); keep(k) {
					keys = append(keys, k)
				}
			}
		}
		return nil
	}
	if err := list(loc.key, func(k string) bool { return k == loc.key || strings.HasSuffix(k, ".tfstate") }); err != nil {
		return nil, err
	}
	if loc.key != "" && !strings.HasSuffix(loc.key, "/") && !strings.HasPrefix(loc.key, workspacePrefix) {
		err := list(workspacePrefix, func(k string) bool {
			ws, ok := strings.CutSuffix(strings.TrimPrefix(k, workspacePrefix), "/"+loc.key)
			return ok && ws != "" && !strings.Contains(ws, "/")
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make([]location, 0, len(keys))
	for _, k := range keys {
		backend := k
		if ws, ok := strings.CutPrefix(k, workspacePrefix); ok {
			_, backend, _ = strings.Cut(ws, "/")
		}
		out = append(out, location{name: s3Location{loc.bucket, k}.String(), backend: s3Location{loc.bucket, backend}.String(), read: func(ctx context.Context) ([]byte, error) {
			obj, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.bucket), Key: aws.String(k)})
			if err != nil {
				return nil, err
			}
			defer obj.Body.Close()
			return s.readLimited(obj.Body)
		}})
	}
	return out, nil
}

// workspacePrefix is the S3 backend's default workspace_key_prefix.
const workspacePrefix = "env:/"
