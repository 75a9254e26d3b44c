package analysis

import (
	"reflect"
	"strings"
	"testing"
)

// The keys a cloud reference may name, nearest first; "part" marks the
// key of a resource the reference is a part of.
func TestCloudKeys(t *testing.T) {
	const bucket = "arn:aws:s3:::acme-statements"
	for ref, want := range map[string][]string{
		// ARNs of parts.
		bucket + "/2024/05/x.pdf": {bucket + " part"},
		"arn:aws:lambda:eu-west-1:111122223333:function:payouts-api:PROD": {"arn:aws:lambda:eu-west-1:111122223333:function:payouts-api part"},
		"arn:aws:dynamodb:eu-west-1:111122223333:table/carts/stream/2024-05-01T00:00:00.000": {
			"arn:aws:dynamodb:eu-west-1:111122223333:table/carts/stream part", "arn:aws:dynamodb:eu-west-1:111122223333:table/carts part"},
		"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/checkout-alb/5427e3af63dfcd87/f2f7dc8efc522ab2": {
			"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/checkout-alb/5427e3af63dfcd87 part",
			"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/checkout-alb part",
			"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app part"},
		"arn:aws:sns:eu-west-1:111122223333:payments-events:0b7e8a1c-3f2d-4e5a-9c6b-1d2e3f4a5b6c": {
			"arn:aws:sns:eu-west-1:111122223333:payments-events part"},
		// A resource's own ARN was looked up before: nothing more to try.
		bucket: nil,
		"arn:aws:sqs:eu-west-1:111122223333:checkout-orders": nil,
		"arn:aws:rds:eu-west-1:111122223333:db:payments-db":  nil,
		// URLs and URIs.
		"s3://acme-statements":                                                                      {bucket},
		"s3://acme-statements/2024/05/x.pdf":                                                        {bucket + " part"},
		"https://acme-statements.s3.eu-west-1.amazonaws.com/2024/x.pdf":                             {bucket + " part"},
		"https://acme-statements.s3.amazonaws.com/":                                                 {bucket},
		"https://acme-statements.s3-eu-west-1.amazonaws.com/x":                                      {bucket + " part"},
		"https://s3.eu-west-1.amazonaws.com/acme-statements/2024/x.pdf":                             {bucket + " part"},
		"https://s3.console.aws.amazon.com/s3/buckets/acme-statements?region=eu-west-1&tab=objects": {bucket},
		"https://sqs.eu-west-1.amazonaws.com/111122223333/checkout-orders":                          {"arn:aws:sqs:eu-west-1:111122223333:checkout-orders"},
		"https://eu-west-1.queue.amazonaws.com/111122223333/checkout-orders":                        {"arn:aws:sqs:eu-west-1:111122223333:checkout-orders"},
		"gs://acme-ml-models/v3/model.bin":                                                          {"//storage.googleapis.com/acme-ml-models part"},
		// Azure: a child's parent; a portal page's resource.
		"/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop/slots/staging": {
			"/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop part"},
		"https://portal.azure.com/#@acme.onmicrosoft.com/resource/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop/overview": {
			"/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop"},
		"/subscriptions/0000/resourceGroups/web": nil,
		// Google Cloud: a node pool's cluster.
		"//container.googleapis.com/projects/acme/locations/europe-west1/clusters/prod/nodePools/default": {
			"//container.googleapis.com/projects/acme/locations/europe-west1/clusters/prod part",
			"//container.googleapis.com/projects/acme/locations/europe-west1 part",
			"//container.googleapis.com/projects/acme part"},
		// No cloud reference.
		"https://github.com/acme/payments-api/pull/3":      nil,
		"https://pay.acme.example/v2/charge":               nil,
		"https://sqs.eu-west-1.amazonaws.com/111122223333": nil,
		"payments-api":   nil,
		"arn:not-an-arn": nil,
	} {
		var got []string
		for _, k := range cloudKeys(ref) {
			s := k.key
			if k.part {
				s += " part"
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cloudKeys(%q)\n got %q\nwant %q", ref, got, want)
		}
	}
}

// Any text: no panic, never ref itself, never more than maxCloudTries.
func FuzzCloudKeys(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:s3:::b/k", "arn:aws:lambda:r:1:function:f:1", "arn:aws:elasticloadbalancing:r:1:listener/app/a/b/c",
		"s3://b/k", "https://b.s3.amazonaws.com/k", "https://s3.console.aws.amazon.com/s3/buckets/b",
		"https://sqs.r.amazonaws.com/1/q", "https://portal.azure.com/#@t/resource/subscriptions/s/resourceGroups/g/providers/N/t/n/x",
		"/subscriptions/s/resourceGroups/g/providers/N/t/n/c/d", "//svc/projects/p/t/n/c/d", "gs://b/o", "arn:", "//", "s3://",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		keys := cloudKeys(ref)
		if len(keys) > maxCloudTries {
			t.Errorf("cloudKeys(%q): %d keys", ref, len(keys))
		}
		for _, k := range keys {
			if k.key == ref || k.key == "" {
				t.Errorf("cloudKeys(%q): key %q", ref, k.key)
			}
		}
	})
}

// A long ref has thousands of prefixes: cloudKeys builds the few it
// returns, not all of them (which took 1.5 s for a 100 KB ARN).
func TestCloudKeysLongRef(t *testing.T) {
	for _, ref := range []string{
		"arn:aws:dynamodb:eu-west-1:111122223333:table/carts" + strings.Repeat("/x", 4000),
		"//storage.googleapis.com/b" + strings.Repeat("/x", 4000),
	} {
		if n := len(cloudKeys(ref)); n != maxCloudTries {
			t.Errorf("cloudKeys(%.60q…): %d keys, want %d", ref, n, maxCloudTries)
		}
		if allocs := testing.AllocsPerRun(5, func() { cloudKeys(ref) }); allocs > 50 {
			t.Errorf("cloudKeys(%.60q…): %.0f allocations, want a few per key", ref, allocs)
		}
	}
}
