package gitrepo

import (
	"fmt"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// A monorepo registers its components the way Backstage documents: the root
// catalog-info.yaml is a Location whose glob names each service's
// descriptor, which is not itself called catalog-info.yaml.
func TestLocationMonorepo(t *testing.T) {
	r := newRepo(t)
	r.git("", "", "remote", "add", "origin", "git@github.com:acme/shop.git")
	r.commit("Alice", "alice@acme.example", map[string]string{
		"catalog-info.yaml": `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: shop
spec:
  targets:
    - ./services/*/component.yaml
    - https://github.com/acme/payments/blob/main/catalog-info.yaml
`,
		"services/cart/component.yaml": `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart
spec:
  type: service
  lifecycle: production
  owner: group:team-cart
  dependsOn: [resource:cart-db]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: cart-db
spec:
  type: database
  owner: group:platform
`,
		"services/cart/Dockerfile": "FROM golang:1.26\n",
		"services/checkout/component.yaml": `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: user:alice
  dependsOn: [component:cart]
`,
		// Vendored descriptors are never read, even when a glob matches.
		"services/vendor/component.yaml": "kind: Component\nmetadata: {name: vendored}\nspec: {owner: x}\n",
	})
	for i := range 2 {
		r.commit("Bob", "bob@acme.example", map[string]string{"services/checkout/main.go": fmt.Sprintf("package main // %d\n", i)})
	}
	rec := run(t, r.dir)
	if len(rec.errs) != 0 {
		t.Errorf("item errors: %v", rec.errs)
	}
	emitted := map[graph.Ref]bool{}
	for _, n := range rec.nodes {
		emitted[n.Ref()] = true
	}
	es := edgeIndex(rec.edges)
	for k, w := range map[string]struct {
		conf     graph.Confidence
		evidence string
	}{
		"BUILDS Repository:github.com/acme/shop → Application:cart":     {graph.Declared, "github.com/acme/shop/services/cart/component.yaml:4 Component cart"},
		"BUILDS Repository:github.com/acme/shop → Application:checkout": {graph.Declared, "github.com/acme/shop/services/checkout/component.yaml:4 Component checkout"},
		"OWNS Team:team-cart → Application:cart":                        {graph.Declared, "github.com/acme/shop/services/cart/component.yaml:8 spec.owner: group:team-cart"},
		"OWNS Person:alice → Application:checkout":                      {graph.Declared, "github.com/acme/shop/services/checkout/component.yaml:8 spec.owner: user:alice"},
		"OWNS Team:platform → CloudResource:cart-db":                    {graph.Declared, "github.com/acme/shop/services/cart/component.yaml:17 spec.owner: group:platform"},
		"DEPENDS_ON Application:cart → CloudResource:cart-db":           {graph.Declared, "github.com/acme/shop/services/cart/component.yaml:9 spec.dependsOn: resource:cart-db"},
		"DEPENDS_ON Application:checkout → Application:cart":            {graph.Declared, "github.com/acme/shop/services/checkout/component.yaml:9 spec.dependsOn: component:cart"},
		// The applications a Location names get the commit heuristic of their directory.
		"OWNS Person:bob@acme.example → Application:checkout": {graph.Heuristic, "git log: most commits in the last 90 days (github.com/acme/shop/services/checkout)"},
	} {
		e, ok := es[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if e.Confidence != w.conf || e.Evidence != w.evidence {
			t.Errorf("%s: %s %q, want %s %q", k, e.Confidence, e.Evidence, w.conf, w.evidence)
		}
		if !emitted[e.From] || !emitted[e.To] {
			t.Errorf("%s names a node not emitted", k)
		}
	}
	if b := es["BUILDS Repository:github.com/acme/shop → Application:cart"]; b.Props["path"] != "services/cart" {
		t.Errorf("cart path %v", b.Props)
	}
	for k := range es {
		if strings.Contains(k, "vendored") || strings.Contains(k, "shop/cart") {
			t.Errorf("unexpected %s (a vendored descriptor, or the declared component's Dockerfile inferred again)", k)
		}
	}
	want := "github.com/acme/shop/catalog-info.yaml: catalog-info.yaml:8: Location shop: target https://github.com/acme/payments/blob/main/catalog-info.yaml is a URL; estate follows only relative paths inside the repository, so it is not followed"
	if all := strings.Join(rec.warnings, "\n"); !strings.Contains(all, want) {
		t.Errorf("warnings lack\n%s\nin\n%s", want, all)
	}
}
