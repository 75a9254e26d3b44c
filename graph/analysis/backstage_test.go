package analysis

import "testing"

func TestBackstageAlias(t *testing.T) {
	for ref, want := range map[string]string{
		"component:default/payments-api": "component:payments-api",
		"Component:Default/Payments-API": "component:payments-api",
		"system:team-a/payments":         "", // the alias already
		"component:payments-api":         "", // the alias already
		"https://backstage.acme.example/catalog/default/component/payments-api":            "component:payments-api",
		"https://backstage.acme.example/catalog/team-a/system/payments/dependencies#graph": "system:team-a/payments",
		"https://backstage.acme.example/catalog/default/component":                         "",
		"https://github.com/acme/catalog/blob/main/catalog-info.yaml":                      "",
		"Service:default/payments": "", // estate's kinds are not Backstage's
		"arn:aws:s3:::bucket/key":  "",
		"payments-api":             "",
	} {
		if got := backstageAlias(ref); got != want {
			t.Errorf("backstageAlias(%q) = %q, want %q", ref, got, want)
		}
	}
}
