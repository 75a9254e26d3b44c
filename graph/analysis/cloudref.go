package analysis

import (
	"context"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/estate-cmdb/estate/graph"
)

// Cloud references. Alerts and tickets name cloud resources by more than
// the key the sources give them (an ARN, an Azure resource id, a Google
// Cloud asset name): by an object in a bucket (s3://bucket/key, its https
// URL, its ARN), a Lambda function's alias or version, a DynamoDB table's
// stream or index, a load balancer's listener, an SQS queue's URL, an
// Azure resource's child (a web app's slot) or its portal page, a Google
// Cloud Storage object (gs://bucket/key). cloudKeys turns such a reference
// into the keys it may name.

// maxCloudTries caps the lookups of one cloud reference.
const maxCloudTries = 3

// cloudKey is a key a cloud reference may name: the resource's own, or
// (part) that of a resource it is a part of.
type cloudKey struct {
	key  string
	part bool
}

// resolveCloud looks up keys (cloudKeys's), nearest first, among cloud
// resources. Nil when they name nothing.
func resolveCloud(ctx context.Context, s Store, keys []cloudKey, kinds []graph.Kind) (*Resolution, error) {
	if !graph.HasAnyKind(kinds, graph.KindCloudResource) {
		return nil, nil
	}
	for _, k := range keys {
		ns, err := s.Resolve(ctx, k.key, []graph.Kind{graph.KindCloudResource})
		if err != nil {
			return nil, err
		}
		if len(ns) == 1 {
			by := ByCloudURL
			if k.part {
				by = ByCloudPart
			}
			return &Resolution{Subject: ns[0], By: by}, nil
		}
	}
	return nil, nil
}

// cloudKeys returns at most maxCloudTries keys ref may name, nearest
// first, or none when ref is no cloud reference. ref itself is left out:
// Resolve looked it up first. Each way of making keys stops at one more
// than that (one may be ref itself): a long ref has many prefixes.
func cloudKeys(ref string) []cloudKey {
	var keys []cloudKey
	switch low := strings.ToLower(ref); {
	case strings.HasPrefix(low, "arn:"):
		keys = arnKeys(ref, false)
	case strings.HasPrefix(low, "/subscriptions/"):
		keys = azureKeys(ref)
	case strings.HasPrefix(low, "//"):
		keys = pairKeys("//", strings.Split(ref[2:], "/"), 2) // //service/name, //service/projects/p/type/name
	default:
		keys = urlKeys(ref)
	}
	out := make([]cloudKey, 0, len(keys))
	for _, k := range keys {
		if k.key != ref && len(out) < maxCloudTries {
			out = append(out, k)
		}
	}
	return out
}

// untypedARNs are the services whose ARNs name a resource without its
// type, with the separator before a part of it.
var untypedARNs = map[string]string{"s3": "/", "sns": ":", "sqs": ":"}

// arnKeys: an S3 object's bucket; an SNS subscription's topic; a load
// balancer for its listener or listener rule (whose ARN names the
// balancer's type, name and id); else each shorter prefix of the resource
// at the separator that follows its type (/ or :), nearest first, down to
// a type and a name, as in function:name:alias or table/name/stream/label.
// exact adds the ARN itself first (one made from a URL).
func arnKeys(ref string, exact bool) []cloudKey {
	a, err := arn.Parse(ref)
	if err != nil {
		return nil
	}
	var keys []cloudKey
	if exact {
		keys = append(keys, cloudKey{key: a.String()})
	}
	res := a.Resource
	// Resources named without a type: a bucket's objects follow a /, a
	// topic's subscriptions a :.
	if sep, ok := untypedARNs[a.Service]; ok {
		if name, _, ok := strings.Cut(res, sep); ok {
			a.Resource = name
			keys = append(keys, cloudKey{key: a.String(), part: true})
		}
		return keys
	}
	if a.Service == "elasticloadbalancing" {
		for _, l := range []string{"listener-rule/", "listener/"} {
			if after, ok := strings.CutPrefix(res, l); ok {
				res = "loadbalancer/" + after
				break
			}
		}
	}
	t := strings.IndexAny(res, "/:")
	if t < 0 {
		return keys
	}
	for i := strings.LastIndexByte(res, res[t]); i > t && len(keys) <= maxCloudTries; i = strings.LastIndexByte(res[:i], res[t]) {
		a.Resource = res[:i]
		keys = append(keys, cloudKey{key: a.String(), part: true})
	}
	return keys
}

// azureKeys: an Azure resource id (/subscriptions/S/resourceGroups/G/
// providers/NS/type/name, then a child type and name for each level) and
// its parents. A portal page adds a blade's name after the id: a segment
// without its pair, dropped.
func azureKeys(id string) []cloudKey {
	segs := strings.Split(strings.TrimPrefix(id, "/"), "/")
	p := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			p = i
			break
		}
	}
	if p < 0 {
		return nil
	}
	if (len(segs)-p)%2 != 0 {
		segs = segs[:len(segs)-1]
	}
	return pairKeys("/", segs, p+4) // providers, NS, type, name
}

// pairKeys returns prefix+segs joined and each parent, dropping a type and
// a name at a time while at least floor segments are left.
func pairKeys(prefix string, segs []string, floor int) []cloudKey {
	var keys []cloudKey
	for n := len(segs); n >= floor && len(keys) <= maxCloudTries; n -= 2 {
		keys = append(keys, cloudKey{key: prefix + strings.Join(segs[:n], "/"), part: n < len(segs)})
	}
	return keys
}

var (
	// S3: bucket.s3.amazonaws.com, bucket.s3.region.amazonaws.com,
	// bucket.s3-region.amazonaws.com; s3.amazonaws.com/bucket and
	// s3.region.amazonaws.com/bucket (path style).
	s3Hosted = regexp.MustCompile(`^(.+)\.s3([.-][a-z0-9-]+)?\.amazonaws\.com$`)
	s3Path   = regexp.MustCompile(`^s3([.-][a-z0-9-]+)?\.amazonaws\.com$`)
	// SQS: sqs.region.amazonaws.com/account/queue, region.queue.amazonaws.com/account/queue.
	sqsHost = regexp.MustCompile(`^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com$`)
)

// urlKeys: the resource a URL or URI names — s3:// and gs:// objects,
// S3 object and console URLs, SQS queue URLs, Azure portal pages.
func urlKeys(ref string) []cloudKey {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.Host == "" {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	path := strings.Trim(u.Path, "/")
	s3 := func(bucket, key string) []cloudKey {
		if key == "" {
			return arnKeys("arn:aws:s3:::"+bucket, true)
		}
		return arnKeys("arn:aws:s3:::"+bucket+"/"+key, false)
	}
	switch {
	case u.Scheme == "s3":
		return s3(u.Host, path)
	case u.Scheme == "gs":
		return []cloudKey{{key: "//storage.googleapis.com/" + u.Host, part: path != ""}}
	case host == "s3.console.aws.amazon.com":
		// /s3/buckets/bucket, /s3/object/bucket
		if parts := strings.Split(path, "/"); len(parts) >= 3 && parts[0] == "s3" {
			return s3(parts[2], strings.Join(parts[3:], "/"))
		}
	case s3Hosted.MatchString(host) && !s3Path.MatchString(host):
		return s3(s3Hosted.FindStringSubmatch(host)[1], path)
	case s3Path.MatchString(host):
		bucket, key, _ := strings.Cut(path, "/")
		return s3(bucket, key)
	case sqsHost.MatchString(host):
		m := sqsHost.FindStringSubmatch(host)
		if account, queue, ok := strings.Cut(path, "/"); ok && !strings.Contains(queue, "/") {
			return arnKeys("arn:aws:sqs:"+m[1]+m[2]+":"+account+":"+queue, true)
		}
	case host == "portal.azure.com":
		if _, id, ok := strings.Cut(u.Fragment, "/resource/subscriptions/"); ok {
			return azureKeys("/subscriptions/" + id)
		}
	}
	return nil
}
